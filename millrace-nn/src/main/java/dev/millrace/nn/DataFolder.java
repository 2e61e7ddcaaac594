package dev.millrace.nn;

import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.DecodedExample;
import dev.millrace.records.ExampleDecoder;
import dev.millrace.records.FeatureType;
import dev.millrace.records.MalformedExampleException;
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
 * validation}; an image folder has none), and what one example holds — found in the first training
 * record: a raw uint8 {@code image} with {@code height}/{@code width}/{@code depth} (the IDX and
 * CIFAR layouts) or an encoded {@code image/encoded} (the image-folder layout), and an int64 {@code
 * label} or {@code image/class/label}.
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

  private static final String[] FEATURES = {
    "image",
    "label",
    "height",
    "width",
    "depth",
    "image/encoded",
    "image/class/label",
    "image/height",
    "image/width",
    "image/channels"
  };

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
    ExampleDecoder decoder = ExampleDecoder.of(FEATURES);
    DecodedExample ex = decoder.newResult();
    try {
      decoder.decode(first, ex);
    } catch (MalformedExampleException e) {
      throw new IOException(file + "@0 (record 0): not a tf.train.Example: " + e.getMessage(), e);
    }
    String label = null;
    for (int i : new int[] {1, 6}) {
      if (label == null && ex.type(i) == FeatureType.INT64 && ex.count(i) == 1) {
        label = FEATURES[i];
      }
    }
    if (label == null) {
      throw new IOException(
          file + "@0 (record 0): no int64 'label' or 'image/class/label' feature to train on");
    }
    if (ex.type(0) == FeatureType.BYTES && ex.count(0) == 1) {
      ImageShape shape = rawShape(ex, ex.bytesLength(0, 0), file);
      return new DataFolder(dir, train, eval, shape, "image", false, label);
    }
    if (ex.type(5) == FeatureType.BYTES && ex.count(5) == 1) {
      // The image-folder layout: the header's size, as the converter read it.
      if (ex.count(7) != 1 || ex.count(8) != 1) {
        throw new IOException(
            file
                + "@0 (record 0): encoded images need 'image/height' and 'image/width' features to"
                + " train on");
      }
      int channels = ex.count(9) == 1 && ex.int64(9, 0) == 1 ? 1 : 3;
      ImageShape shape = new ImageShape((int) ex.int64(7, 0), (int) ex.int64(8, 0), channels);
      return new DataFolder(dir, train, eval, shape, "image/encoded", true, label);
    }
    throw new IOException(
        file
            + "@0 (record 0): no raw 'image' or encoded 'image/encoded' bytes feature to train on");
  }

  private static ImageShape rawShape(DecodedExample ex, int bytes, Path file) throws IOException {
    if (ex.count(2) == 1 && ex.count(3) == 1) {
      long h = ex.int64(2, 0);
      long w = ex.int64(3, 0);
      long d = ex.count(4) == 1 ? ex.int64(4, 0) : 1;
      if (h < 1 || w < 1 || d < 1 || h * w * d != bytes) {
        throw new IOException(
            String.format(
                "%s@0 (record 0): height %d × width %d × depth %d does not match the image's %d"
                    + " bytes",
                file, h, w, d, bytes));
      }
      return new ImageShape((int) h, (int) w, (int) d);
    }
    for (int c : new int[] {1, 3}) {
      long side = Math.round(Math.sqrt(bytes / (double) c));
      if (bytes % c == 0 && side > 0 && side * side * c == bytes) {
        return new ImageShape((int) side, (int) side, c);
      }
    }
    throw new IOException(
        file
            + "@0 (record 0): cannot tell the shape of a "
            + bytes
            + "-byte image without height/width/depth features");
  }
}
