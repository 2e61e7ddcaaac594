package dev.millrace.nn;

import dev.millrace.data.ImageRecordLayout;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.Manifest;
import dev.millrace.records.RecordReader;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A data set converted by {@code millrace convert}: its manifest, the split to train on ({@code
 * train}), the held-out split to evaluate on ({@code test}, else {@code eval}, else {@code
 * validation}; an image folder has none), and what one example holds — the {@link
 * ImageRecordLayout} of the first training record, which must have a label and an image size.
 *
 * @param dir the folder
 * @param train the training split
 * @param eval the held-out split, or null when the data set has none (an image folder converts to a
 *     train split only): then training runs without evaluation
 * @param shape the size of one image
 * @param image the image feature's name
 * @param encoded whether the image is JPEG/PNG bytes rather than raw pixels
 * @param label the label feature's name
 */
public record DataFolder(
    Path dir,
    SplitManifest train,
    SplitManifest eval,
    ImageShape shape,
    String image,
    boolean encoded,
    String label) {
  private static final List<String> EVAL_SPLITS = List.of("test", "eval", "validation");

  /** Reads {@code dir}'s manifest and its first training record; errors name the file. */
  public static DataFolder open(Path dir) throws IOException {
    Path manifestFile = dir.resolve(Manifest.FILE_NAME);
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such folder");
    }
    if (!Files.isRegularFile(manifestFile)) {
      throw new IOException(
          dir + ": not a converted data set (no manifest.json; create one with millrace convert)");
    }
    Manifest manifest;
    try {
      manifest = Manifest.read(manifestFile);
    } catch (RuntimeException e) {
      throw new IOException(manifestFile + ": not a valid manifest: " + e.getMessage(), e);
    }
    if (manifest.splits() == null || manifest.splits().isEmpty()) {
      throw new IOException(manifestFile + ": lists no splits");
    }
    SplitManifest train =
        manifest
            .split("train")
            .orElseThrow(
                () ->
                    new IOException(manifestFile + ": no 'train' split (" + names(manifest) + ")"));
    SplitManifest eval =
        EVAL_SPLITS.stream()
            .map(manifest::split)
            .flatMap(Optional::stream)
            .findFirst()
            .orElse(null);
    for (SplitManifest s : eval == null ? List.of(train) : List.of(train, eval)) {
      for (ShardInfo shard : s.shards()) {
        Path file = dir.resolve(shard.file());
        if (!Files.isRegularFile(file)) {
          throw new IOException(file + ": listed in manifest.json but missing");
        }
        // A size is one stat: it catches a shard cut short or grown since it was written. The
        // SHA-256 would mean reading all the data first; 'millrace inspect --verify' does that.
        long size = Files.size(file);
        if (size != shard.bytes()) {
          throw new IOException(file + ": " + size + " bytes, manifest.json says " + shard.bytes());
        }
      }
    }
    return layout(dir, train, eval);
  }

  private static String names(Manifest m) {
    return "splits: " + String.join(", ", m.splits().stream().map(SplitManifest::name).toList());
  }

  /**
   * The error for a training split whose shards do not hold the records its manifest lists: {@code
   * what} says what was seen instead.
   */
  IOException recordCountMismatch(String what) {
    return new IOException(
        dir.resolve(Manifest.FILE_NAME)
            + ": the train split lists "
            + train.records()
            + " records, but "
            + what
            + "; the manifest does not match its shards (convert again, or check them with"
            + " 'millrace inspect --verify')");
  }

  /** The training split's files, in manifest order. */
  public List<Path> trainFiles() {
    return train.shards().stream().map(s -> dir.resolve(s.file())).toList();
  }

  /** Whether the data set has a held-out split to evaluate on. */
  public boolean hasEval() {
    return eval != null;
  }

  /** The held-out split's files, in manifest order (empty without one). */
  public List<Path> evalFiles() {
    if (eval == null) {
      return List.of();
    }
    return eval.shards().stream().map(s -> dir.resolve(s.file())).toList();
  }

  private static DataFolder layout(Path dir, SplitManifest train, SplitManifest eval)
      throws IOException {
    Path file = null;
    byte[] first = null;
    for (ShardInfo shard : train.shards()) {
      Path f = dir.resolve(shard.file());
      try (RecordReader r = RecordReader.open(f, train.compression(), CorruptRecordPolicy.FAIL)) {
        if (r.next()) {
          file = f;
          first = r.copyRecord();
          break;
        }
      }
    }
    if (first == null) {
      throw new IOException(dir + ": the train split holds no records");
    }
    ImageRecordLayout layout = ImageRecordLayout.of(file, first);
    if (layout.label() == null) {
      throw new IOException(
          ImageRecordLayout.where(file)
              + "no int64 'label' or 'image/class/label' feature to train on");
    }
    if (!layout.hasSize()) {
      throw new IOException(
          ImageRecordLayout.where(file)
              + "encoded images need 'image/height' and 'image/width' features to train on");
    }
    ImageShape shape = new ImageShape(layout.height(), layout.width(), layout.channels());
    return new DataFolder(
        dir, train, eval, shape, layout.image(), layout.encoded(), layout.label());
  }
}
