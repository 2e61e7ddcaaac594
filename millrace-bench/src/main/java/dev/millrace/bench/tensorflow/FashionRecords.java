package dev.millrace.bench.tensorflow;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Fashion-MNIST training split as TFRecord shards written by Millrace's IDX converter into a
 * temporary folder, deleted on {@link #close()}. Both sides of an input-pipeline comparison read
 * these same files (public for the Millrace side, {@code dev.millrace.bench.data}).
 */
public final class FashionRecords implements TrainShards {
  /** Where the Debian package {@code dataset-fashion-mnist} puts the IDX files. */
  public static final Path DEFAULT_IDX_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Records in the training split. */
  public static final int TRAIN_RECORDS = 60_000;

  /** Records in the test split. */
  public static final int TEST_RECORDS = 10_000;

  private final Path dir;
  private final List<Path> trainShards;
  private final List<Path> testShards;

  private FashionRecords(Path dir, List<Path> trainShards, List<Path> testShards) {
    this.dir = dir;
    this.trainShards = List.copyOf(trainShards);
    this.testShards = List.copyOf(testShards);
  }

  /**
   * Converts the IDX files in {@code idxDir} (property {@code millrace.fashion.dir} overrides it)
   * with the converter's defaults: uncompressed 100 MiB shards, so the training split is one file.
   */
  public static FashionRecords convert() throws IOException {
    Path idxDir = Path.of(System.getProperty("millrace.fashion.dir", DEFAULT_IDX_DIR.toString()));
    if (!Files.isDirectory(idxDir)) {
      throw new IllegalStateException(
          "Fashion-MNIST IDX files not found in "
              + idxDir
              + " (install the Debian package dataset-fashion-mnist, or set -Dmillrace.fashion.dir)");
    }
    Path dir = Files.createTempDirectory("millrace-bench-fashion-");
    Converters.convert(
        SourceFormat.IDX, idxDir, dir, ConvertOptions.defaults(), ProgressListener.none());
    return new FashionRecords(dir, shards(dir, "train-"), shards(dir, "test-"));
  }

  private static List<Path> shards(Path dir, String prefix) throws IOException {
    List<Path> shards;
    try (Stream<Path> files = Files.list(dir)) {
      shards = files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
    if (shards.isEmpty()) {
      throw new IllegalStateException("the converter wrote no " + prefix + "* shard in " + dir);
    }
    return shards;
  }

  /** The training split's shards (60,000 records), in order. */
  @Override
  public List<Path> trainShards() {
    return trainShards;
  }

  /** The test split's shards (10,000 records), in order. */
  public List<Path> testShards() {
    return testShards;
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
