package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The eight-bit reference cores agree exactly with the float kernels run on the shifted codes: the
 * products of small integers and their sums are exact in float below 2^24.
 */
class QuantizedReferenceTest {
  private final Kernels reference = new ReferenceKernels();

  @Test
  void matMulEqualsFloatMatMulOfShiftedCodes() {
    Random rnd = new Random(3);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = codes(rnd, ta ? Shape.of(7, 5) : Shape.of(5, 7));
        Tensor b = codes(rnd, tb ? Shape.of(3, 7) : Shape.of(7, 3));
        Tensor q = reference.quantizedMatMul(a, 17, ta, b, 200, tb);
        Tensor f = reference.matmul(shifted(a, 17), shifted(b, 200), ta, tb);
        assertThat(q.dtype()).isEqualTo(DType.QINT32);
        assertThat(q.shape()).isEqualTo(Shape.of(5, 3));
        assertSame(q, f);
      }
    }
  }

  @Test
  void convEqualsFloatConvOfShiftedCodesWithZeroPadding() {
    Random rnd = new Random(4);
    Tensor input = codes(rnd, Shape.of(2, 6, 5, 3));
    Tensor filter = codes(rnd, Shape.of(3, 3, 3, 4));
    for (Padding padding : new Padding[] {Padding.SAME, Padding.VALID}) {
      for (int stride : new int[] {1, 2}) {
        Conv2dSpec spec = Conv2dSpec.of(stride, padding, DataFormat.NHWC);
        Tensor q = reference.quantizedConv2d(input, 128, filter, 90, spec);
        Tensor f = reference.conv2d(shifted(input, 128), shifted(filter, 90), spec);
        assertThat(q.shape()).isEqualTo(f.shape());
        assertSame(q, f);
      }
    }
  }

  @Test
  void refusesFloatInputsAndNchw() {
    Tensor f = Tensor.zeros(DType.FLOAT32, Shape.of(2, 2));
    assertThatThrownBy(() -> reference.quantizedMatMul(f, 0, false, f, 0, false))
        .hasMessageContaining("must be quint8");
    Tensor q = Tensor.zeros(DType.QUINT8, Shape.of(1, 3, 3, 1));
    Tensor w = Tensor.zeros(DType.QUINT8, Shape.of(1, 1, 1, 1));
    assertThatThrownBy(
            () ->
                reference.quantizedConv2d(
                    q, 0, w, 0, Conv2dSpec.of(1, Padding.SAME, DataFormat.NCHW)))
        .hasMessageContaining("NHWC only");
  }

  static Tensor codes(Random rnd, Shape shape) {
    byte[] b = new byte[Math.toIntExact(shape.size())];
    rnd.nextBytes(b);
    return Tensor.ofBytes(DType.QUINT8, shape, b);
  }

  private static Tensor shifted(Tensor codes, int zero) {
    float[] f = new float[Math.toIntExact(codes.size())];
    for (int i = 0; i < f.length; i++) {
      f[i] = (codes.getByte(i) & 0xff) - zero;
    }
    return Tensor.ofFloats(codes.shape(), f);
  }

  private static void assertSame(Tensor ints, Tensor floats) {
    for (int i = 0; i < ints.size(); i++) {
      assertThat((float) ints.getInt(i)).as("element %d", i).isEqualTo(floats.getFloat(i));
    }
  }
}
