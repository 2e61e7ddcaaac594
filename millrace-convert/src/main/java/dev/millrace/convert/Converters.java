package dev.millrace.convert;

import dev.millrace.convert.internal.CifarBinaryConverter;
import dev.millrace.convert.internal.CifarPythonConverter;
import dev.millrace.convert.internal.Conversion;
import dev.millrace.convert.internal.IdxConverter;
import dev.millrace.convert.internal.ImageFolderConverter;
import dev.millrace.convert.spi.SplitWriter;
import dev.millrace.records.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Converts a data set to TFRecord shards of {@code tf.train.Example}s plus a {@code manifest.json}.
 *
 * <p>Each split (train, test, …) is written as {@code <split>-00000-of-000NN.tfrecord[.gz|.zlib]}.
 * The formats, their splits and their features:
 *
 * <ul>
 *   <li>{@link SourceFormat#IDX}: a folder of {@code <name>-images-idx3-ubyte[.gz]} files with
 *       their {@code <name>-labels-idx1-ubyte[.gz]} (or one images file); {@code train-*} gives
 *       {@code train}, {@code t10k-*} and {@code test-*} give {@code test}. Features {@code image}
 *       (raw uint8 pixels, HWC), {@code label}, {@code height}, {@code width}, {@code depth}.
 *   <li>{@link SourceFormat#CIFAR10}, {@link SourceFormat#CIFAR10_BIN}: {@code
 *       cifar-10-python.tar.gz} or {@code cifar-10-binary.tar.gz} as distributed, streamed (never
 *       extracted); splits as TensorFlow's performance guide makes them: {@code train} (batches
 *       1–4), {@code validation} (batch 5), {@code eval} (the test batch). Same features, {@code
 *       image} being the planar CHW row as the guide's script writes it.
 *   <li>{@link SourceFormat#IMAGES}: a folder of class folders of JPEG/PNG files, one split {@code
 *       train}, features as TensorFlow's {@code build_image_data.py} ({@code image/encoded}, …);
 *       label = 1 + the class folder's index in name order (0 is the script's background class).
 * </ul>
 *
 * <p>All or nothing: the shards are written into a hidden staging folder inside {@code outputDir}
 * and moved out only when every split has succeeded, {@code manifest.json} last. After a failure
 * {@code outputDir} holds no shard or manifest of the failed run (an earlier run's output stays).
 * Shards of an earlier run of the same split that this run does not replace are removed.
 */
public final class Converters {
  private Converters() {}

  /**
   * Converts {@code input} into {@code outputDir} (created if needed).
   *
   * @throws BadInputException if the input is not valid data of {@code format}; its message names
   *     the file and, where it applies, the archive entry, byte offset or record
   * @throws IOException if reading or writing fails otherwise (also {@link
   *     java.io.InterruptedIOException} when the calling thread is interrupted)
   */
  public static ConversionResult convert(
      SourceFormat format,
      Path input,
      Path outputDir,
      ConvertOptions options,
      ProgressListener progress)
      throws IOException {
    return convert(format, input, outputDir, options, progress, null);
  }

  /**
   * Converts {@code input} into {@code outputDir} as {@link #convert(SourceFormat, Path, Path,
   * ConvertOptions, ProgressListener)} does, with every split written by {@code writer} (an
   * engine's; null for this machine's threads). The input is read, checked and split here; only the
   * encoding and writing of the records is the writer's, and the output is the same whoever writes
   * it.
   */
  public static ConversionResult convert(
      SourceFormat format,
      Path input,
      Path outputDir,
      ConvertOptions options,
      ProgressListener progress,
      SplitWriter writer)
      throws IOException {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(progress, "progress");
    if (!Files.exists(input)) {
      throw new NoSuchFileException(input.toString(), null, "input does not exist");
    }
    long start = System.nanoTime();
    try (Conversion conversion = Conversion.start(outputDir, options, progress, writer)) {
      switch (format) {
        case IDX -> IdxConverter.convert(input, conversion);
        case CIFAR10 -> CifarPythonConverter.convert(input, conversion);
        case CIFAR10_BIN -> CifarBinaryConverter.convert(input, conversion);
        case IMAGES -> ImageFolderConverter.convert(input, conversion);
      }
      Manifest manifest =
          conversion.commit(format.cliName() + ":" + input.toAbsolutePath().normalize());
      return new ConversionResult(manifest, outputDir, Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
