package dev.millrace.data;

import dev.millrace.data.internal.CropFlipNormalize;
import dev.millrace.data.internal.Tensors;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A seeded image augmentation of one feature of each element, done in one pass over the pixels:
 * random crop after zero padding, random horizontal flip, scaling, per-channel normalisation {@code
 * (x * scale - mean[c]) / std[c]}, and conversion to a float32 image in NHWC ({@code [h, w, c]}) or
 * NCHW ({@code [c, h, w]}) order, so that batching gives {@code [n, h, w, c]} or {@code [n, c, h,
 * w]}. The input is {@code uint8} or {@code float32} {@code [h, w, c]} (or {@code [h, w]}).
 *
 * <p>The crop offsets and the flip are drawn, in that order, from the element's generator, so a
 * seeded pipeline augments every element the same way in every run. Padding pixels are 0 before
 * normalisation, as when padding with zeros first. Immutable.
 */
public final class ImageAugmentation implements SeededFunction<Features, Features> {
  private final String feature;
  private final int pad;
  private final boolean flip;
  private final float[] mean;
  private final float[] std;

  /** NaN: 1/255 for uint8 inputs, 1 for float inputs. */
  private final float scale;

  private final DataFormat format;

  ImageAugmentation(
      String feature,
      int pad,
      boolean flip,
      float[] mean,
      float[] std,
      float scale,
      DataFormat format) {
    if (pad < 0) {
      throw new IllegalArgumentException("crop padding must be >= 0, got " + pad);
    }
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "mean and std need the same number (>= 1) of channels, got "
              + Arrays.toString(mean)
              + " and "
              + Arrays.toString(std));
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
      }
    }
    this.feature = Objects.requireNonNull(feature);
    this.pad = pad;
    this.flip = flip;
    this.mean = mean.clone();
    this.std = std.clone();
    this.scale = scale;
    this.format = Objects.requireNonNull(format);
  }

  /** Augments the feature named {@code name} (default {@code image}). */
  public ImageAugmentation feature(String name) {
    return new ImageAugmentation(name, pad, flip, mean, std, scale, format);
  }

  /** Pads by {@code pad} zero pixels on each side, then crops back to the size at random. */
  public ImageAugmentation randomCrop(int pad) {
    return new ImageAugmentation(feature, pad, flip, mean, std, scale, format);
  }

  /** Flips left-right with probability 1/2. */
  public ImageAugmentation randomFlip(boolean flip) {
    return new ImageAugmentation(feature, pad, flip, mean, std, scale, format);
  }

  /** Normalises channel {@code c} to {@code (x - mean[c]) / std[c]} (one value: all channels). */
  public ImageAugmentation normalize(float[] mean, float[] std) {
    return new ImageAugmentation(feature, pad, flip, mean, std, scale, format);
  }

  /** Multiplies pixels by {@code scale} before normalising (default 1/255 for uint8, else 1). */
  public ImageAugmentation scale(float scale) {
    return new ImageAugmentation(feature, pad, flip, mean, std, scale, format);
  }

  /** The layout of the float output. */
  public ImageAugmentation format(DataFormat format) {
    return new ImageAugmentation(feature, pad, flip, mean, std, scale, format);
  }

  @Override
  public Features apply(Features element, ElementRandom random) {
    Tensor img = element.get(feature);
    Shape s = img.shape();
    if (s.rank() != 2 && s.rank() != 3) {
      throw new IllegalArgumentException(
          "feature '" + feature + "' must be an image [h, w, c] or [h, w], got " + s);
    }
    int h = (int) s.dim(0);
    int w = (int) s.dim(1);
    int c = s.rank() == 2 ? 1 : (int) s.dim(2);
    if (mean.length != 1 && mean.length != c) {
      throw new IllegalArgumentException(
          "normalisation has " + mean.length + " channels, the image " + c + " (shape " + s + ")");
    }
    int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
    int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
    boolean mirror = flip && random.nextBoolean();
    Shape outShape = format == DataFormat.NHWC ? Shape.of(h, w, c) : Shape.of(c, h, w);
    Tensor out = Tensor.zeros(DType.FLOAT32, outShape);
    float[] dst = Tensors.floatArray(out);
    float sc = Float.isNaN(scale) ? (img.dtype() == DType.UINT8 ? 1f / 255 : 1f) : scale;
    float[] a = new float[c];
    float[] b = new float[c];
    for (int k = 0; k < c; k++) {
      float m = mean[mean.length == 1 ? 0 : k];
      float sd = std[std.length == 1 ? 0 : k];
      a[k] = sc / sd;
      b[k] = -m / sd;
    }
    if (img.dtype() == DType.UINT8) {
      byte[] src = Tensors.byteArrayOrNull(img);
      if (src == null) {
        src = img.toByteArray();
      }
      transform(src, null, h, w, c, dy, dx, mirror, a, b, dst);
    } else if (img.dtype() == DType.FLOAT32) {
      float[] src = Tensors.floatArrayOrNull(img);
      if (src == null) {
        src = img.toFloatArray();
      }
      transform(null, src, h, w, c, dy, dx, mirror, a, b, dst);
    } else {
      throw new IllegalArgumentException(
          "feature '" + feature + "' must be uint8 or float32, got " + img.dtype());
    }
    return element.with(feature, out);
  }

  /**
   * Output pixel (y, x) is input pixel (y + dy, x' + dx) where x' is x or its mirror; outside the
   * input it is a zero (padding) pixel.
   */
  private void transform(
      byte[] u8,
      float[] f32,
      int h,
      int w,
      int c,
      int dy,
      int dx,
      boolean mirror,
      float[] a,
      float[] b,
      float[] dst) {
    new CropFlipNormalize(h, w, c, a, b)
        .apply(u8, f32, dy, dx, mirror, format == DataFormat.NCHW, dst);
  }

  @Override
  public String toString() {
    return "ImageAugmentation{"
        + feature
        + ", crop pad "
        + pad
        + ", flip "
        + flip
        + ", mean "
        + Arrays.toString(mean)
        + ", std "
        + Arrays.toString(std)
        + ", scale "
        + (Float.isNaN(scale) ? "auto" : scale)
        + ", "
        + format
        + "}";
  }
}
