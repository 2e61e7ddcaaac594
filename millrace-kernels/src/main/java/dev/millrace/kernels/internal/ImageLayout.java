package dev.millrace.kernels.internal;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;

/**
 * A rank-4 image batch of {@code n×h×w×c} in NHWC or NCHW, addressed by (batch, row, col, channel).
 */
public record ImageLayout(DataFormat format, int n, int h, int w, int c) {
  public static ImageLayout of(String op, String role, Shape shape, DataFormat format) {
    Checks.requireNonNull(op, "format", format);
    if (shape.rank() != 4) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be a rank-4 " + format + " batch, got shape " + shape);
    }
    return new ImageLayout(
        format,
        Math.toIntExact(shape.dim(format.batchAxis())),
        Math.toIntExact(shape.dim(format.heightAxis())),
        Math.toIntExact(shape.dim(format.widthAxis())),
        Math.toIntExact(shape.dim(format.channelAxis())));
  }

  public static ImageLayout of(DataFormat format, long n, long h, long w, long c) {
    return new ImageLayout(
        format, Math.toIntExact(n), Math.toIntExact(h), Math.toIntExact(w), Math.toIntExact(c));
  }

  /** The flat row-major index of element (b, y, x, ch). */
  public int index(int b, int y, int x, int ch) {
    return format == DataFormat.NHWC
        ? ((b * h + y) * w + x) * c + ch
        : ((b * c + ch) * h + y) * w + x;
  }

  public Shape shape() {
    return format.shape(n, h, w, c);
  }

  public int size() {
    return n * h * w * c;
  }
}
