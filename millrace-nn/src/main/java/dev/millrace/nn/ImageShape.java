package dev.millrace.nn;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;

/** The size of one image: height, width and channels. */
public record ImageShape(int height, int width, int channels) {
  public ImageShape {
    if (height < 1 || width < 1 || channels < 1) {
      throw new IllegalArgumentException(
          "image shape " + height + "×" + width + "×" + channels + " must be positive");
    }
  }

  /** The batch shape {@code [batch, ...]} in {@code format} ({@code -1} for any batch size). */
  public Shape batchShape(long batch, DataFormat format) {
    return format.shape(batch, height, width, channels);
  }

  public long pixels() {
    return (long) height * width * channels;
  }

  @Override
  public String toString() {
    return height + "×" + width + "×" + channels;
  }
}
