package dev.millrace.cli;

import dev.millrace.graph.ThreadConfig;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
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
      TrainCommand.class,
      DoctorCommand.class,
      BenchCommand.class,
      ExportCommand.class,
      SummarizeGraphCommand.class,
      TransformGraphCommand.class,
      QuantizeCommand.class,
      LabelImageCommand.class,
      GraphCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status for bad data, a failed check or a failed run. */
  public static final int EXIT_FAILURE = 1;

  /** Exit status for a command line that does not parse (picocli's convention). */
  public static final int EXIT_USAGE = 2;

  @Spec CommandLine.Model.CommandSpec spec;

  /** The guide's advice by default: both pools as large as the machine has physical cores. */
  @Option(
      names = "--inter-op-threads",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description =
          "Threads running independent graph operations at once (default: physical cores, or"
              + " $MILLRACE_INTER_OP_THREADS).")
  void interOpThreads(int n) {
    System.setProperty(
        ThreadConfig.INTER_OP_PROPERTY, Integer.toString(positive("--inter-op-threads", n)));
  }

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description =
          "Threads one kernel splits its work over (default: physical cores, or"
              + " $MILLRACE_INTRA_OP_THREADS).")
  void intraOpThreads(int n) {
    System.setProperty(
        ThreadConfig.INTRA_OP_PROPERTY, Integer.toString(positive("--intra-op-threads", n)));
  }

  private int positive(String option, int n) {
    if (n < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), option + ": " + n + " (expected a positive number of threads)");
    }
    return n;
  }

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
