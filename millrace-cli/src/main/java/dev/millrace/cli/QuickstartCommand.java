package dev.millrace.cli;

import dev.millrace.convert.ConversionResult;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.SampleData;
import dev.millrace.convert.SourceFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code millrace quickstart}: the whole product on real data in one command. Today: convert
 * Fashion-MNIST (or a generated CIFAR-10 sample) to shards, then inspect and verify them.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Converts the Fashion-MNIST data set (Debian package dataset-fashion-mnist) to TFRecord"
          + " shards and verifies them. Without that package it generates a small data set in"
          + " the CIFAR-10 python format and uses that instead.",
      ""
    },
    sortOptions = false)
final class QuickstartCommand implements Callable<Integer> {
  /** Where Debian's dataset-fashion-mnist package puts the IDX files. */
  static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      defaultValue = "quickstart-out",
      description = "Where the shards go (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder with the Fashion-MNIST IDX files (default: $MILLRACE_FASHION_MNIST, else "
              + "/usr/share/datasets/fashion-mnist).")
  Path data;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path fashion = fashionMnistFolder();
    ConvertOptions options = ConvertOptions.defaults();
    ConversionResult result;
    if (fashion != null) {
      out.println(
          "1/2  Converting Fashion-MNIST from " + fashion + " to TFRecord shards in " + output);
      result =
          Converters.convert(
              SourceFormat.IDX, fashion, output, options, ConsoleProgress.forStandardError(err));
    } else {
      Path sample = Files.createTempFile("millrace-cifar10-sample", ".tar.gz");
      try {
        out.println(
            "1/2  Fashion-MNIST not found (apt-get install dataset-fashion-mnist);"
                + " converting a generated CIFAR-10-format sample instead");
        SampleData.writeCifar10PythonSample(sample, 200, 42);
        result =
            Converters.convert(
                SourceFormat.CIFAR10,
                sample,
                output,
                options,
                ConsoleProgress.forStandardError(err));
      } finally {
        Files.deleteIfExists(sample);
      }
    }
    ConvertCommand.printSummary(out, result);

    out.println();
    out.println("2/2  Inspecting and verifying " + output);
    Inspection inspection = new Inspection(null, 1);
    List<Path> files = Inspection.expand(List.of(output));
    for (Path f : files) {
      inspection.inspectFile(f, n -> {});
    }
    inspection.verifyManifests(List.of(output));
    String problem = inspection.firstProblem();
    if (problem != null) {
      err.println("millrace quickstart: error: " + problem);
      return Main.EXIT_FAILURE;
    }
    out.printf(
        Locale.ROOT,
        "     %,d records in %d shards, every CRC and the manifest's SHA-256 sums verified%n",
        inspection.totalRecords(),
        files.size());
    out.println();
    out.println("Next: ./millrace inspect " + output + " --show 2");
    return 0;
  }

  private Path fashionMnistFolder() {
    if (data != null) {
      return data;
    }
    String env = System.getenv("MILLRACE_FASHION_MNIST");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Files.isDirectory(DEBIAN_FASHION_MNIST) ? DEBIAN_FASHION_MNIST : null;
  }
}
