package dev.millrace.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** Entry point of {@code millrace}; subcommands do the work. */
@Command(
    name = "millrace",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Fast deep-learning workloads end to end: TFRecord conversion and inspection, input"
          + " pipelines, training and graph tools, compatible with TensorFlow's file formats.",
      ""
    },
    commandListHeading = "%nCommands:%n",
    footer = {"", "Run 'millrace COMMAND --help' for a command's options."},
    subcommands = {
      QuickstartCommand.class,
      ConvertCommand.class,
      InspectCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status for bad data, a failed check or a failed run. */
  public static final int EXIT_FAILURE = 1;

  /** Exit status for a command line that does not parse (picocli's convention). */
  public static final int EXIT_USAGE = 2;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs one command line with the given streams and returns the exit status (for tests). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(new OneLineErrors());
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }
}
