package dev.millrace.tensor;

/**
 * Layout of a rank-4 image batch. NHWC keeps a pixel's channels together (often faster on CPUs);
 * NCHW keeps each channel's plane together (what cuDNN prefers). Convolution filters are HWIO in
 * both, as in TensorFlow.
 */
public enum DataFormat {
  NHWC(0, 1, 2, 3),
  NCHW(0, 2, 3, 1);

  private final int batchAxis;
  private final int heightAxis;
  private final int widthAxis;
  private final int channelAxis;

  DataFormat(int batchAxis, int heightAxis, int widthAxis, int channelAxis) {
    this.batchAxis = batchAxis;
    this.heightAxis = heightAxis;
    this.widthAxis = widthAxis;
    this.channelAxis = channelAxis;
  }

  public int batchAxis() {
    return batchAxis;
  }

  public int heightAxis() {
    return heightAxis;
  }

  public int widthAxis() {
    return widthAxis;
  }

  public int channelAxis() {
    return channelAxis;
  }

  /** The shape of a batch of {@code n} images of {@code h×w×c} in this format. */
  public Shape shape(long n, long h, long w, long c) {
    return this == NHWC ? Shape.of(n, h, w, c) : Shape.of(n, c, h, w);
  }

  /** {@code shape} (in this format) laid out in {@code target}'s order. */
  public Shape convert(Shape shape, DataFormat target) {
    requireRank4(shape);
    return target.shape(
        shape.dim(batchAxis), shape.dim(heightAxis), shape.dim(widthAxis), shape.dim(channelAxis));
  }

  /** The permutation that turns this layout into {@code target} (for a transpose). */
  public int[] permutationTo(DataFormat target) {
    int[] perm = new int[4];
    perm[target.batchAxis] = batchAxis;
    perm[target.heightAxis] = heightAxis;
    perm[target.widthAxis] = widthAxis;
    perm[target.channelAxis] = channelAxis;
    return perm;
  }

  /** Parses {@code NHWC} or {@code NCHW} (any case). */
  public static DataFormat parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("data format '" + text + "' (expected NHWC or NCHW)", e);
    }
  }

  void requireRank4(Shape shape) {
    if (shape.rank() != 4) {
      throw new IllegalArgumentException(
          "a "
              + name()
              + " tensor must have rank 4, got shape "
              + shape
              + " (rank "
              + shape.rank()
              + ")");
    }
  }
}
