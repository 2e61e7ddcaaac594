package dev.millrace.cli;

import dev.millrace.convert.ConversionResult;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.SampleData;
import dev.millrace.convert.SourceFormat;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.DataFolder;
import dev.millrace.nn.TrainConfig;
import dev.millrace.nn.TrainResult;
import dev.millrace.nn.Trainer;
import dev.millrace.nn.TrainingListener;
import dev.millrace.profile.Diagnosis;
import dev.millrace.profile.Doctor;
import dev.millrace.profile.HtmlReport;
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
 * {@code millrace quickstart}: the whole product on real data in one command — convert
 * Fashion-MNIST (or a generated CIFAR-10 sample) to shards and verify them, train {@code
 * fashion-cnn} (or {@code resnet20} on the sample) for one epoch, and run the doctor on the same
 * job, ending with the accuracy, the verdict and the report's path.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Converts the Fashion-MNIST data set (Debian package dataset-fashion-mnist) to TFRecord"
          + " shards and verifies them, trains fashion-cnn on them for one epoch, and runs the"
          + " doctor on that job: the test accuracy, the verdict (input- or compute-bound) and an"
          + " HTML report. Without that package it generates a small data set in the CIFAR-10"
          + " python format and trains resnet20 on it instead.",
      "Everything goes under --output: data/ (shards), checkpoint/, logs/ (TensorBoard) and"
          + " report/index.html.",
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
      description = "Where everything goes (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder with the Fashion-MNIST IDX files (default: $MILLRACE_FASHION_MNIST, else "
              + "/usr/share/datasets/fashion-mnist).")
  Path data;

  @Option(
      names = "--doctor-steps",
      paramLabel = "N",
      defaultValue = "30",
      description = "Timed steps per doctor run (default: ${DEFAULT-VALUE}).")
  int doctorSteps;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path shards = output.resolve("data");
    BuiltinModel model = convert(out, err, shards);
    if (!verify(out, err, shards)) {
      return Main.EXIT_FAILURE;
    }

    out.println();
    out.println("3/4  Training " + model.cliName() + " for one epoch");
    out.flush();
    DataFolder folder = DataFolder.open(shards);
    TrainConfig config =
        TrainConfig.defaults(folder, model).withCheckpoints(output.resolve("checkpoint"), 0, false);
    TrainResult trained;
    try (TensorBoardListener tensorBoard = new TensorBoardListener(output.resolve("logs"), 20)) {
      trained =
          Trainer.train(
              config,
              TrainingListener.all(List.of(TrainProgress.forStandardError(err), tensorBoard)));
    }
    out.println("     " + TrainCommand.summary(trained));

    out.println();
    out.println("4/4  Diagnosing the job: is it input-bound or compute-bound?");
    out.flush();
    Diagnosis d;
    Path report;
    try (Monitors monitors = new Monitors()) {
      d =
          Doctor.diagnose(
              config,
              doctorSteps,
              5,
              true,
              run -> {
                err.println("doctor: " + run + "...");
                err.flush();
              });
      d = Reports.withUtilisation(d, monitors.utilisation().summary());
      report =
          HtmlReport.write(
              Reports.diagnosis(
                  d,
                  "millrace quickstart --output " + output,
                  monitors.samples(d.fullJob().stepRecords())),
              output.resolve("report"));
    }
    out.println(DoctorCommand.text(d).replaceAll("(?m)^", "     "));

    out.println();
    out.printf(
        Locale.ROOT,
        "Done: %s reached %.2f%% test accuracy in one epoch (%,.0f images/s); the job is %s.%n",
        model.cliName(),
        100 * trained.testAccuracy(),
        trained.imagesPerSecond(),
        d.verdict().text());
    out.println("Report: " + report.toAbsolutePath());
    out.println(
        "Next: ./millrace train --data "
            + shards
            + " --model "
            + model.cliName()
            + " --epochs 15 --logdir "
            + output.resolve("logs"));
    return 0;
  }

  /** Step 1: the shards; returns the model that fits them. */
  private BuiltinModel convert(PrintWriter out, PrintWriter err, Path shards) throws Exception {
    Path fashion = fashionMnistFolder();
    ConvertOptions options = ConvertOptions.defaults();
    ConversionResult result;
    BuiltinModel model;
    if (fashion != null) {
      out.println(
          "1/4  Converting Fashion-MNIST from " + fashion + " to TFRecord shards in " + shards);
      result =
          Converters.convert(
              SourceFormat.IDX, fashion, shards, options, ConsoleProgress.forStandardError(err));
      model = BuiltinModel.FASHION_CNN;
    } else {
      Path sample = Files.createTempFile("millrace-cifar10-sample", ".tar.gz");
      try {
        out.println(
            "1/4  Fashion-MNIST not found (apt-get install dataset-fashion-mnist);"
                + " converting a generated CIFAR-10-format sample instead");
        SampleData.writeCifar10PythonSample(sample, 200, 42);
        result =
            Converters.convert(
                SourceFormat.CIFAR10,
                sample,
                shards,
                options,
                ConsoleProgress.forStandardError(err));
      } finally {
        Files.deleteIfExists(sample);
      }
      model = BuiltinModel.RESNET20;
    }
    ConvertCommand.printSummary(out, result);
    return model;
  }

  /** Step 2: every CRC and the manifest's sums. */
  private boolean verify(PrintWriter out, PrintWriter err, Path shards) throws Exception {
    out.println();
    out.println("2/4  Inspecting and verifying " + shards);
    Inspection inspection = new Inspection(null, 1);
    List<Path> files = Inspection.expand(List.of(shards));
    for (Path f : files) {
      inspection.inspectFile(f, n -> {});
    }
    inspection.verifyManifests(List.of(shards));
    String problem = inspection.firstProblem();
    if (problem != null) {
      err.println("millrace quickstart: error: " + problem);
      return false;
    }
    out.printf(
        Locale.ROOT,
        "     %,d records in %d shards, every CRC and the manifest's SHA-256 sums verified%n",
        inspection.totalRecords(),
        files.size());
    return true;
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
