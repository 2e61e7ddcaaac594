package dev.millrace.convert.internal;

import com.google.protobuf.ByteString;
import dev.millrace.convert.spi.RecordEncoder;
import dev.millrace.records.Examples;
import dev.millrace.records.proto.Features;
import java.io.Serial;
import java.util.List;

/**
 * One split of a raw-pixel data set (IDX, CIFAR-10): labelled uint8 images of one shape, made of
 * one or more source batches in order, encoded as the TensorFlow scripts encode them.
 *
 * <p>Features: {@code image} (the source's pixel bytes unchanged — HWC for IDX, planar CHW for
 * CIFAR-10 as the performance guide's script writes {@code data[i].tobytes()}), {@code label},
 * {@code height}, {@code width}, {@code depth} (int64). Deterministic serialization sorts them by
 * name: {@code depth, height, image, label, width}.
 *
 * <p>Thread-safe: it only reads the shared source arrays. Serializable with them, for engines that
 * encode elsewhere.
 */
final class RawPixelSplit implements RecordEncoder {
  @Serial private static final long serialVersionUID = 1L;

  private final String name;
  private final int height;
  private final int width;
  private final int depth;
  private final List<PixelBatch> batches;
  private final int[] firstRow;
  private final int rows;

  RawPixelSplit(String name, int height, int width, int depth, List<PixelBatch> batches) {
    this.name = name;
    this.height = height;
    this.width = width;
    this.depth = depth;
    this.batches = List.copyOf(batches);
    this.firstRow = new int[this.batches.size()];
    long total = 0;
    for (int b = 0; b < this.batches.size(); b++) {
      PixelBatch batch = this.batches.get(b);
      if (batch.imageBytes() != height * width * depth) {
        throw new IllegalArgumentException(
            "split "
                + name
                + ": batch of "
                + batch.imageBytes()
                + "-byte images, expected "
                + height
                + "x"
                + width
                + "x"
                + depth);
      }
      firstRow[b] = (int) total;
      total += batch.rows();
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("split " + name + ": " + total + " rows (too many)");
    }
    this.rows = (int) total;
  }

  String name() {
    return name;
  }

  int rows() {
    return rows;
  }

  int imageBytes() {
    return height * width * depth;
  }

  /** The label of the {@code row}-th image of the split. */
  int label(int row) {
    int b = batchOf(row);
    return batches.get(b).label(row - firstRow[b]);
  }

  /** The serialized Example of the {@code row}-th image of the split. */
  @Override
  public byte[] encode(int row) {
    int b = batchOf(row);
    PixelBatch batch = batches.get(b);
    int r = row - firstRow[b];
    Features.Builder f =
        Features.newBuilder()
            .putFeature(
                "image",
                Examples.bytes(
                    ByteString.copyFrom(batch.pixels(), batch.pixelStart(r), imageBytes())))
            .putFeature("label", Examples.int64(batch.label(r)))
            .putFeature("height", Examples.int64(height))
            .putFeature("width", Examples.int64(width))
            .putFeature("depth", Examples.int64(depth));
    return Examples.serialize(Examples.of(f));
  }

  private int batchOf(int row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row: " + row + " (expected: range(0, " + rows + "))");
    }
    int lo = 0;
    int hi = firstRow.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (firstRow[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
