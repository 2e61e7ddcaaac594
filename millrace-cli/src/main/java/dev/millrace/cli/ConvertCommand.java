package dev.millrace.cli;

import dev.millrace.convert.ConversionResult;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.SourceFormat;
import dev.millrace.convert.spi.ConversionEngine;
import dev.millrace.records.Compression;
import dev.millrace.records.Manifest;
import dev.millrace.records.SplitManifest;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace convert}: many small files or an archive in, ~100 MB TFRecord shards out. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Converts a data set into large TFRecord shards of tf.train.Example records, plus a"
          + " manifest.json (per shard: records, bytes, SHA-256; per split: the feature schema).",
      "Reading tens of thousands of small files is I/O bound; a few ~100 MB shards stream at disk"
          + " speed and can be read in parallel.",
      "",
      "Formats:",
      "  idx          MNIST-format *-images-idx3-ubyte[.gz] + *-labels-idx1-ubyte[.gz] files;"
          + " splits train, test",
      "  cifar10      cifar-10-python.tar.gz as distributed; splits train (batches 1-4),"
          + " validation (batch 5), eval (test batch)",
      "  cifar10-bin  cifar-10-binary.tar.gz; same splits",
      "  images       a folder with one sub-folder of JPEG/PNG files per class",
      "",
      "Raw-pixel formats write features image (bytes, uint8), label, height, width, depth (int64).",
      "Nothing is left in the output folder if the conversion fails. A killed run (kill -9, a"
          + " crash) leaves no partial shard or manifest, only a hidden .millrace-staging-<pid>-*"
          + " folder, which the next conversion into the same folder removes.",
      "",
      "--engine spark runs the conversion as a Spark job (module millrace-spark, which ./millrace"
          + " builds and adds when --engine spark is given); its shards and manifest are those of"
          + " the local engine, byte for byte. On a cluster (--master spark://...) the input and"
          + " output folders must be on a file system every executor sees at the same path.",
      ""
    },
    sortOptions = false)
final class ConvertCommand implements Callable<Integer> {
  static final String LOCAL_ENGINE = "local";
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "FORMAT",
      description = "Input format: idx, cifar10, cifar10-bin or images.")
  String from;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description = "Input folder or archive.")
  Path input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Output folder (created if missing).")
  Path output;

  @Option(
      names = "--shard-size",
      paramLabel = "SIZE",
      defaultValue = "100MiB",
      converter = ByteSizeConverter.class,
      description = "Target shard size, e.g. 100MiB, 512KiB, 1GB (default: ${DEFAULT-VALUE}).")
  long shardSize;

  @Option(
      names = "--compression",
      paramLabel = "TYPE",
      defaultValue = "none",
      description = "none, gzip or zlib (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(names = "--shuffle", description = "Shuffle the records of each split.")
  boolean shuffle;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "Seed for --shuffle (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Worker threads (default: the number of processors).")
  Integer threads;

  @Option(
      names = "--engine",
      paramLabel = "NAME",
      defaultValue = LOCAL_ENGINE,
      description =
          "Where records are encoded and written: local (this machine's threads) or spark (a"
              + " Spark job) (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description =
          "With --engine spark: the Spark master, local[N] or spark://host:port (default:"
              + " local[T], T = --threads).")
  String master;

  @Option(names = "--json", description = "Print the manifest as JSON instead of a summary.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    SourceFormat format = SourceFormat.parse(from);
    int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (workers < 1) {
      throw new IllegalArgumentException("--threads: " + workers + " (expected >= 1)");
    }
    ConvertOptions options =
        new ConvertOptions(shardSize, Compression.parse(compression), shuffle, seed, workers);
    var err = spec.commandLine().getErr();
    ConversionResult result;
    if (engine.equals(LOCAL_ENGINE)) {
      if (master != null) {
        throw new IllegalArgumentException("--master is for --engine spark");
      }
      result =
          Converters.convert(format, input, output, options, ConsoleProgress.forStandardError(err));
    } else {
      ConversionEngine found =
          ConversionEngine.named(engine).orElseThrow(() -> missingEngine(engine));
      Map<String, String> settings = master == null ? Map.of() : Map.of("master", master);
      result =
          found.convert(
              format, input, output, options, settings, ConsoleProgress.forStandardError(err));
    }
    var out = spec.commandLine().getOut();
    if (json) {
      out.println(Manifest.json().writeValueAsString(result.manifest()));
    } else {
      printSummary(out, result);
    }
    return 0;
  }

  /** The one line that says how to get an engine that is not on the class path. */
  static IllegalStateException missingEngine(String name) {
    if (name.equals("spark")) {
      return new IllegalStateException(
          "engine spark is not on the class path: run ./millrace from the repository, which builds"
              + " millrace-spark and adds it (millrace-spark/target/millrace-spark.jar and"
              + " millrace-spark/target/lib/*) when --engine spark is given");
    }
    return new IllegalStateException(
        "no conversion engine '" + name + "' (expected: local or spark)");
  }

  static void printSummary(java.io.PrintWriter out, ConversionResult result) {
    Manifest m = result.manifest();
    double seconds = result.elapsed().toNanos() / 1e9;
    for (SplitManifest split : m.splits()) {
      long bytes = split.shards().stream().mapToLong(s -> s.bytes()).sum();
      out.printf(
          Locale.ROOT,
          "%-12s %,10d records  %3d shard%s  %s%n",
          split.name(),
          split.records(),
          split.shards().size(),
          split.shards().size() == 1 ? " " : "s",
          Formats.bytes(bytes));
    }
    out.printf(
        Locale.ROOT,
        "Wrote %,d records to %s in %.1f s (%,.0f records/s); manifest: %s%n",
        m.totalRecords(),
        result.outputDir(),
        seconds,
        m.totalRecords() / Math.max(seconds, 1e-9),
        result.outputDir().resolve(Manifest.FILE_NAME));
  }
}
