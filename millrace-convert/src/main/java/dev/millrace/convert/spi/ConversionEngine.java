package dev.millrace.convert.spi;

import dev.millrace.convert.ConversionResult;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A way to run a conversion elsewhere than on the converting machine's threads (on a Spark cluster,
 * say), found by name on the class path through {@link ServiceLoader}: an engine is provided by a
 * module that the rest of Millrace does not depend on ({@code millrace-spark}), so that {@code
 * millrace convert} runs without it and uses it when it is there.
 *
 * <p>An engine reads the input as {@link dev.millrace.convert.Converters} reads it and writes what
 * it writes, shard for shard and byte for byte ({@link SplitWriter}); only where the records are
 * encoded and written differs.
 */
public interface ConversionEngine {
  /** The name that selects the engine ({@code millrace convert --engine NAME}). */
  String name();

  /**
   * Converts {@code input} into {@code outputDir}, as {@link
   * dev.millrace.convert.Converters#convert} does.
   *
   * @param settings the engine's own settings ({@code master} for Spark), by name
   * @throws IllegalArgumentException for a setting the engine does not know or a bad value
   */
  ConversionResult convert(
      SourceFormat format,
      Path input,
      Path outputDir,
      ConvertOptions options,
      Map<String, String> settings,
      ProgressListener progress)
      throws IOException;

  /** The engine of that name on the class path, if any. */
  static Optional<ConversionEngine> named(String name) {
    for (ConversionEngine e : ServiceLoader.load(ConversionEngine.class)) {
      if (e.name().equals(name)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
