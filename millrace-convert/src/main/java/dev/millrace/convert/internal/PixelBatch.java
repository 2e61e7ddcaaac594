package dev.millrace.convert.internal;

/**
 * A run of labelled uint8 images inside byte arrays, as a source file lays them out: image {@code
 * i} is {@code imageBytes} bytes at {@code pixels[pixelOffset + i * pixelStride]}, its label the
 * byte at {@code labels[labelOffset + i * labelStride]}. Pixels and labels may share one array (the
 * CIFAR-10 binary format interleaves them). The arrays are the source data, shared, never copied.
 */
record PixelBatch(
    byte[] pixels,
    int pixelOffset,
    int pixelStride,
    int imageBytes,
    byte[] labels,
    int labelOffset,
    int labelStride,
    int rows)
    implements java.io.Serializable {
  @java.io.Serial private static final long serialVersionUID = 1L;

  PixelBatch {
    if (rows < 0
        || (rows > 0
            && ((long) pixelOffset + (long) (rows - 1) * pixelStride + imageBytes > pixels.length
                || (long) labelOffset + (long) (rows - 1) * labelStride >= labels.length))) {
      throw new IllegalArgumentException(
          "batch of "
              + rows
              + " rows does not fit: pixels "
              + pixels.length
              + " bytes, labels "
              + labels.length
              + " bytes");
    }
  }

  int label(int row) {
    return labels[labelOffset + row * labelStride] & 0xff;
  }

  int pixelStart(int row) {
    return pixelOffset + row * pixelStride;
  }
}
