package dev.millrace.kernels.internal;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;

/**
 * A tensor seen as {@code [outer, channels, inner]} around its channel axis: the last axis in NHWC
 * ({@code inner = 1}), axis 1 in NCHW ({@code outer} = the batch). Per-channel kernels (BiasAdd,
 * batch norm) iterate over this view, whatever the rank.
 */
public record ChannelLayout(int outer, int channels, int inner) {
  public static ChannelLayout of(String op, Shape shape, DataFormat format) {
    if (shape.rank() < 2) {
      throw new IllegalArgumentException(
          op + ": input must have rank >= 2 to have a channel axis, got shape " + shape);
    }
    long[] d = shape.dims();
    int axis = format == DataFormat.NHWC ? d.length - 1 : 1;
    long outer = 1;
    long inner = 1;
    for (int i = 0; i < d.length; i++) {
      if (i < axis) {
        outer *= d[i];
      } else if (i > axis) {
        inner *= d[i];
      }
    }
    return new ChannelLayout(
        Math.toIntExact(outer), Math.toIntExact(d[axis]), Math.toIntExact(inner));
  }

  public int index(int o, int c, int i) {
    return (o * channels + c) * inner + i;
  }

  /** Number of elements per channel. */
  public int perChannel() {
    return outer * inner;
  }
}
