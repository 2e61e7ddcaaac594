package dev.millrace.data;

import dev.millrace.tensor.DataFormat;

/**
 * Ready-made seeded image augmentations for {@link Dataset#map(SeededFunction, Parallelism)}; see
 * {@link ImageAugmentation} for what each step does.
 *
 * <pre>{@code
 * dataset.map(Augment.cropFlipNormalize(4, DataFormat.NCHW), Parallelism.AUTOTUNE)
 * }</pre>
 */
public final class Augment {
  private Augment() {}

  /**
   * The identity augmentation of feature {@code image}: pixels scaled to float (uint8 by 1/255),
   * NHWC; add steps with its setters.
   */
  public static ImageAugmentation image() {
    return new ImageAugmentation(
        "image", 0, false, new float[] {0f}, new float[] {1f}, Float.NaN, DataFormat.NHWC);
  }

  /** Conversion of {@code image} to float in {@code format}, uint8 scaled by 1/255. */
  public static ImageAugmentation toFloat(DataFormat format) {
    return image().format(format);
  }

  /**
   * Random crop after padding by {@code pad} zero pixels, random horizontal flip, and float
   * conversion to [0, 1] in {@code format} (the CIFAR/Fashion-MNIST recipe without mean and std).
   */
  public static ImageAugmentation cropFlipNormalize(int pad, DataFormat format) {
    return image().randomCrop(pad).randomFlip(true).format(format);
  }

  /** As {@link #cropFlipNormalize(int, DataFormat)}, then {@code (x - mean[c]) / std[c]}. */
  public static ImageAugmentation cropFlipNormalize(
      int pad, float[] mean, float[] std, DataFormat format) {
    return cropFlipNormalize(pad, format).normalize(mean, std);
  }
}
