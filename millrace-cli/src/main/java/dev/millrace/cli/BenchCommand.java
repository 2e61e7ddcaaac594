package dev.millrace.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code millrace bench}: the benchmark commands, one subcommand per part of the system. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Measures parts of Millrace on this machine.", ""},
    commandListHeading = "%nCommands:%n",
    subcommands = {BenchKernelsCommand.class, BenchInputCommand.class})
final class BenchCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
