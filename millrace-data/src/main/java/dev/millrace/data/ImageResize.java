package dev.millrace.data;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * Bilinear resizing of {@code [height, width, channels]} images to float, as TensorFlow's {@code
 * ResizeBilinear} computes it by default ({@code align_corners=false, half_pixel_centers=false},
 * the mode TensorFlow's {@code label_image} uses): output pixel {@code (y, x)} samples the input at
 * {@code (y · in_h / out_h, x · in_w / out_w)}, interpolating between the two nearest rows and
 * columns, the last row and column repeated past the edge.
 */
public final class ImageResize {
  private ImageResize() {}

  /**
   * {@code image} (uint8 or float32 {@code [h, w, c]}) resized to float32 {@code [height, width,
   * c]}.
   */
  public static Tensor bilinear(Tensor image, int height, int width) {
    Shape s = image.shape();
    if (s.rank() != 3 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "resize needs an image [h, w, c] and a size >= 1, got "
              + s
              + " to "
              + height
              + "x"
              + width);
    }
    int inH = (int) s.dim(0);
    int inW = (int) s.dim(1);
    int c = (int) s.dim(2);
    float[] src = toFloats(image);
    float[] out = new float[height * width * c];
    float scaleY = (float) inH / height;
    float scaleX = (float) inW / width;
    for (int y = 0; y < height; y++) {
      float fy = y * scaleY;
      int y0 = (int) Math.floor(fy);
      int y1 = Math.min(y0 + 1, inH - 1);
      float dy = fy - y0;
      for (int x = 0; x < width; x++) {
        float fx = x * scaleX;
        int x0 = (int) Math.floor(fx);
        int x1 = Math.min(x0 + 1, inW - 1);
        float dx = fx - x0;
        for (int k = 0; k < c; k++) {
          float top =
              src[(y0 * inW + x0) * c + k]
                  + (src[(y0 * inW + x1) * c + k] - src[(y0 * inW + x0) * c + k]) * dx;
          float bottom =
              src[(y1 * inW + x0) * c + k]
                  + (src[(y1 * inW + x1) * c + k] - src[(y1 * inW + x0) * c + k]) * dx;
          out[(y * width + x) * c + k] = top + (bottom - top) * dy;
        }
      }
    }
    return Tensor.ofFloats(Shape.of(height, width, c), out);
  }

  private static float[] toFloats(Tensor image) {
    if (image.dtype() == DType.FLOAT32) {
      return image.toFloatArray();
    }
    if (image.dtype() != DType.UINT8) {
      throw new IllegalArgumentException(
          "resize needs a uint8 or float32 image, got " + image.dtype());
    }
    byte[] b = image.toByteArray();
    float[] f = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      f[i] = b[i] & 0xff;
    }
    return f;
  }
}
