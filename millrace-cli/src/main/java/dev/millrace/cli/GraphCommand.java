package dev.millrace.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code millrace graph}: commands on TensorFlow GraphDef files. */
@Command(
    name = "graph",
    mixinStandardHelpOptions = true,
    description = {"Runs TensorFlow GraphDef (.pb) files with Millrace's engine.", ""},
    commandListHeading = "%nCommands:%n",
    subcommands = {GraphRunCommand.class})
final class GraphCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
