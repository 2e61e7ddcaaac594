package dev.millrace.data;

import dev.millrace.records.DecodedExample;
import dev.millrace.records.ExampleDecoder;
import dev.millrace.records.FeatureType;
import dev.millrace.records.MalformedExampleException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the Examples of an image data set hold, read from its first record, as {@code millrace
 * convert} writes them: a raw uint8 {@code image} whose shape comes from {@code height}/{@code
 * width}/{@code depth} or, without them, from its byte count (a square of 1 or 3 channels) — the
 * IDX and CIFAR layouts — or an encoded {@code image/encoded} with its header's size in {@code
 * image/height}/{@code image/width}/{@code image/channels} — the image-folder layout; and an int64
 * {@code label} or {@code image/class/label}. Training and {@code bench input} both decode with
 * what this finds, so they agree on every data set.
 *
 * @param image the image feature's name
 * @param encoded whether the image is JPEG/PNG bytes rather than raw pixels
 * @param height image height, or 0 when an encoded image's size is not recorded
 * @param width image width, or 0 likewise
 * @param channels channels (1 or 3 for encoded images)
 * @param rawBytes bytes of one raw image, or 0 for encoded images
 * @param label the int64 label feature's name, or null when the record has none
 */
public record ImageRecordLayout(
    String image,
    boolean encoded,
    int height,
    int width,
    int channels,
    int rawBytes,
    String label) {
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

  /** Whether the image size is known (always for raw images). */
  public boolean hasSize() {
    return height > 0 && width > 0;
  }

  /**
   * The layout of {@code record}, the first record of {@code file}.
   *
   * @throws IOException naming the file and record 0 when the record is not an Example or holds no
   *     image feature this layout knows
   */
  public static ImageRecordLayout of(Path file, byte[] record) throws IOException {
    ExampleDecoder decoder = ExampleDecoder.of(FEATURES);
    DecodedExample ex = decoder.newResult();
    try {
      decoder.decode(record, ex);
    } catch (MalformedExampleException e) {
      throw new IOException(where(file) + "not a tf.train.Example: " + e.getMessage(), e);
    }
    String label = null;
    for (int i : new int[] {1, 6}) {
      if (label == null && ex.type(i) == FeatureType.INT64 && ex.count(i) == 1) {
        label = FEATURES[i];
      }
    }
    if (ex.type(0) == FeatureType.BYTES && ex.count(0) == 1) {
      int bytes = ex.bytesLength(0, 0);
      int[] hwc = rawShape(ex, bytes, file);
      return new ImageRecordLayout("image", false, hwc[0], hwc[1], hwc[2], bytes, label);
    }
    if (ex.type(5) == FeatureType.BYTES && ex.count(5) == 1) {
      boolean sized = ex.count(7) == 1 && ex.count(8) == 1;
      int channels = ex.count(9) == 1 && ex.int64(9, 0) == 1 ? 1 : 3;
      return new ImageRecordLayout(
          "image/encoded",
          true,
          sized ? (int) ex.int64(7, 0) : 0,
          sized ? (int) ex.int64(8, 0) : 0,
          channels,
          0,
          label);
    }
    throw new IOException(
        where(file)
            + "no raw 'image' or encoded 'image/encoded' bytes feature in the first record");
  }

  /** {@code file@0 (record 0): }, the prefix of every error about the first record. */
  public static String where(Path file) {
    return file + "@0 (record 0): ";
  }

  private static int[] rawShape(DecodedExample ex, int bytes, Path file) throws IOException {
    if (ex.count(2) == 1 && ex.count(3) == 1) {
      long h = ex.int64(2, 0);
      long w = ex.int64(3, 0);
      long d = ex.count(4) == 1 ? ex.int64(4, 0) : 1;
      if (h < 1 || w < 1 || d < 1 || h * w * d != bytes) {
        throw new IOException(
            String.format(
                "%sheight %d × width %d × depth %d does not match the image's %d bytes",
                where(file), h, w, d, bytes));
      }
      return new int[] {(int) h, (int) w, (int) d};
    }
    for (int c : new int[] {1, 3}) {
      long side = Math.round(Math.sqrt(bytes / (double) c));
      if (bytes % c == 0 && side > 0 && side * side * c == bytes) {
        return new int[] {(int) side, (int) side, c};
      }
    }
    throw new IOException(
        where(file)
            + "cannot tell the shape of a "
            + bytes
            + "-byte image without height/width/depth features (not a square of 1 or 3"
            + " channels)");
  }
}
