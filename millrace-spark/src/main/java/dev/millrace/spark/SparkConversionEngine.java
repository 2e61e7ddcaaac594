package dev.millrace.spark;

import dev.millrace.convert.ConversionResult;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import dev.millrace.convert.spi.ConversionEngine;
import dev.millrace.spark.internal.SparkSplitWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code millrace convert --engine spark}: the conversion as a Spark job. The input is read and
 * checked on the driver as the single-machine converter reads it; the records are encoded and the
 * shards written by Spark tasks ({@link SparkSplitWriter}); the output is the single-machine
 * converter's, shard for shard and byte for byte, manifest included.
 *
 * <p>Settings: {@code master} ({@code local[N]}, {@code spark://host:7077}, ...; default {@code
 * local[T]} with T the options' thread count). On a cluster the input and output folders must be on
 * a file system every executor sees at the same path. A Spark session already running in this JVM
 * is used as it is (its master wins) and left running.
 */
public final class SparkConversionEngine implements ConversionEngine {
  public static final String NAME = "spark";
  public static final String MASTER = "master";

  private static final Set<String> SETTINGS = Set.of(MASTER);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ConversionResult convert(
      SourceFormat format,
      Path input,
      Path outputDir,
      ConvertOptions options,
      Map<String, String> settings,
      ProgressListener progress)
      throws IOException {
    for (String key : settings.keySet()) {
      if (!SETTINGS.contains(key)) {
        throw new IllegalArgumentException(
            "engine spark: unknown setting '" + key + "' (expected: " + MASTER + ")");
      }
    }
    String master = settings.getOrDefault(MASTER, "local[" + options.threads() + "]");
    scala.Option<SparkSession> existing = SparkSession.getActiveSession();
    if (existing.isEmpty()) {
      existing = SparkSession.getDefaultSession();
    }
    boolean running = existing.isDefined();
    SparkSession spark =
        running
            ? existing.get()
            : SparkSession.builder()
                .master(master)
                .appName("millrace convert " + format.cliName())
                .config("spark.ui.showConsoleProgress", "false")
                // On JDK 25 Spark's serialization debugger needs a class the JDK no longer has, and
                // a task failure it is asked to explain would hang the job.
                .config("spark.serializer.extraDebugInfo", "false")
                .getOrCreate();
    try {
      SparkSplitWriter writer =
          new SparkSplitWriter(JavaSparkContext.fromSparkContext(spark.sparkContext()));
      // Absolute paths: the executors' working folders are not this process's.
      return Converters.convert(
          format, input.toAbsolutePath(), outputDir.toAbsolutePath(), options, progress, writer);
    } finally {
      if (!running) {
        spark.stop();
      }
    }
  }
}
