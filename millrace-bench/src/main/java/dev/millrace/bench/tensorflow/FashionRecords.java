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
 * these same files.
 */
final class FashionRecords implements AutoCloseable {
  /** Where the Debian package {@code dataset-fashion-mnist} puts the IDX files. */
  static final Path DEFAULT_IDX_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Records in the training split. */
  static final int TRAIN_RECORDS = 60_000;

  private final Path dir;
  private final List<Path> trainShards;

  private FashionRecords(Path dir, List<Path> trainShards) {
    this.dir = dir;
    this.trainShards = List.copyOf(trainShards);
  }

  /**
   * Converts the IDX files in {@code idxDir} (property {@code millrace.fashion.dir} overrides it)
   * with the converter's defaults: uncompressed 100 MiB shards, so the training split is one file.
   */
  static FashionRecords convert() throws IOException {
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
    List<Path> shards;
    try (Stream<Path> files = Files.list(dir)) {
      shards = files.filter(p -> p.getFileName().toString().startsWith("train-")).sorted().toList();
    }
    if (shards.isEmpty()) {
      throw new IllegalStateException("the converter wrote no train-* shard in " + dir);
    }
    return new FashionRecords(dir, shards);
  }

  List<Path> trainShards() {
    return trainShards;
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
