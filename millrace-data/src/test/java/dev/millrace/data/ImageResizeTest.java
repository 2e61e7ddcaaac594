package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImageResizeTest {
  @Test
  void upscalingSamplesFromTheTopLeftAndRepeatsTheLastRowAndColumn() {
    // TensorFlow's ResizeBilinear, align_corners=false, half_pixel_centers=false: 2x2 -> 4x4 reads
    // the input at 0, 0.5, 1, 1.5 (clamped) along each axis.
    Tensor in =
        Tensor.ofBytes(DType.UINT8, Shape.of(2, 2, 1), (byte) 0, (byte) 10, (byte) 20, (byte) 30);
    Tensor out = ImageResize.bilinear(in, 4, 4);
    assertThat(out.shape()).isEqualTo(Shape.of(4, 4, 1));
    assertThat(out.toFloatArray())
        .containsExactly(
            0, 5, 10, 10, //
            10, 15, 20, 20, //
            20, 25, 30, 30, //
            20, 25, 30, 30);
  }

  @Test
  void downscalingAndTheSameSizeKeepChannelsApart() {
    float[] px = new float[4 * 4 * 2];
    for (int i = 0; i < px.length; i++) {
      px[i] = i;
    }
    Tensor in = Tensor.ofFloats(Shape.of(4, 4, 2), px);
    assertThat(ImageResize.bilinear(in, 4, 4).toFloatArray()).containsExactly(px);
    // 4 -> 2 reads rows and columns 0 and 2 exactly.
    assertThat(ImageResize.bilinear(in, 2, 2).toFloatArray())
        .containsExactly(0, 1, 4, 5, 16, 17, 20, 21);
  }
}
