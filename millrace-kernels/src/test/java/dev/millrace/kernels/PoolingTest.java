package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertClose;
import static dev.millrace.kernels.TestTensors.assertValues;
import static dev.millrace.kernels.TestTensors.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PoolingTest {
  private static final DataFormat NHWC = DataFormat.NHWC;
  private static final DataFormat NCHW = DataFormat.NCHW;
  private final Kernels k = new ReferenceKernels();

  /** 1×3×3×1 holding 1..9. */
  private final Tensor x3 = Tensor.ofFloats(Shape.of(1, 3, 3, 1), 1, 2, 3, 4, 5, 6, 7, 8, 9);

  @Test
  void maxPoolSameIgnoresPaddingAtTheEdges() {
    Tensor neg = k.unary(UnaryOp.NEG, x3);
    // Windows [0,2)x[0,2), [0,2)x[2,3), ...; the padding after is never the maximum.
    Tensor y = k.maxPool(neg, PoolSpec.of(2, 2, Padding.SAME, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 2, 2, 1));
    assertValues(y, 0, -1, -3, -7, -9);
  }

  @Test
  void maxPoolValidWithStrideOneSlidesOverEveryWindow() {
    Tensor y = k.maxPool(x3, PoolSpec.of(2, 1, Padding.VALID, NHWC));
    assertValues(y, 0, 5, 6, 8, 9);
  }

  @Test
  void avgPoolDividesByTheValidPixelCount() {
    Tensor y = k.avgPool(x3, PoolSpec.of(2, 2, Padding.SAME, NHWC));
    assertValues(y, 1e-6, 3, 4.5, 7.5, 9);
    Tensor y3 = k.avgPool(x3, PoolSpec.of(3, 1, Padding.SAME, NHWC));
    // Corner: 4 valid pixels (1, 2, 4, 5); edge: 6; centre: 9.
    assertValues(y3, 1e-6, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7);
  }

  @Test
  void rectangularWindowsAndStridesPoolEachAxisSeparately() {
    Tensor x = Tensor.ofFloats(Shape.of(1, 2, 4, 1), 1, 2, 3, 4, 5, 6, 7, 8);
    PoolSpec spec = new PoolSpec(2, 1, 1, 2, Padding.VALID, NHWC);
    assertValues(k.maxPool(x, spec), 0, 5, 7);
    assertValues(k.avgPool(x, spec), 0, 3, 5);
  }

  @Test
  void poolingWorksPerChannelAndPerImage() {
    // NHWC 2×2×2×2: image 0 channel 0 = 1..4, channel 1 = 40..10; image 1 = -image 0.
    Tensor x =
        Tensor.ofFloats(
            Shape.of(2, 2, 2, 2), 1, 40, 2, 30, 3, 20, 4, 10, -1, -40, -2, -30, -3, -20, -4, -10);
    assertValues(k.maxPool(x, PoolSpec.of(2, 2, Padding.VALID, NHWC)), 0, 4, 40, -1, -10);
    assertValues(k.avgPool(x, PoolSpec.of(2, 2, Padding.VALID, NHWC)), 0, 2.5, 25, -2.5, -25);
  }

  @Test
  void maxPoolGradRoutesToTheFirstMaximumOfATie() {
    Tensor x = Tensor.ofDoubles(Shape.of(1, 2, 2, 1), 3, 7, 7, 1);
    Tensor dy = Tensor.ofDoubles(Shape.of(1, 1, 1, 1), 5);
    assertValues(k.maxPoolGrad(x, dy, PoolSpec.of(2, 2, Padding.VALID, NHWC)), 0, 0, 5, 0, 0);
  }

  @Test
  void maxPoolGradAccumulatesOverlappingWindows() {
    Tensor x = Tensor.ofDoubles(Shape.of(1, 1, 3, 1), 1, 9, 2);
    Tensor dy = Tensor.ofDoubles(Shape.of(1, 1, 2, 1), 1, 10);
    PoolSpec spec = new PoolSpec(1, 2, 1, 1, Padding.VALID, NHWC);
    assertValues(k.maxPoolGrad(x, dy, spec), 0, 0, 11, 0);
  }

  @Test
  void avgPoolGradSpreadsEvenlyOverValidPixels() {
    Tensor dy = Tensor.ofDoubles(Shape.of(1, 2, 2, 1), 4, 2, 2, 1);
    Tensor dx = k.avgPoolGrad(Shape.of(1, 3, 3, 1), dy, PoolSpec.of(2, 2, Padding.SAME, NHWC));
    assertValues(dx, 1e-12, 1, 1, 1, 1, 1, 1, 1, 1, 1);
  }

  static LongStream seeds60() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds60")
  void nchwPoolingEqualsNhwcAfterTransposing(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 3);
    int h = rnd.nextInt(1, 8);
    int w = rnd.nextInt(1, 8);
    int c = rnd.nextInt(1, 4);
    int window = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 4);
    boolean same = rnd.nextBoolean();
    Tensor x = random(rnd, n, h, w, c);
    PoolSpec spec = PoolSpec.of(window, stride, same ? Padding.SAME : Padding.VALID, NHWC);
    PoolSpec specC = PoolSpec.of(window, stride, spec.padding(), NCHW);
    Tensor xc = x.toFormat(NHWC, NCHW);
    Tensor max = k.maxPool(x, spec);
    assertClose(k.maxPool(xc, specC).toFormat(NCHW, NHWC), max, 0);
    assertClose(k.avgPool(xc, specC).toFormat(NCHW, NHWC), k.avgPool(x, spec), 1e-12);
    Tensor dy = random(rnd, max.shape().dims());
    Tensor dyc = dy.toFormat(NHWC, NCHW);
    assertClose(k.maxPoolGrad(xc, dyc, specC).toFormat(NCHW, NHWC), k.maxPoolGrad(x, dy, spec), 0);
    assertClose(
        k.avgPoolGrad(xc.shape(), dyc, specC).toFormat(NCHW, NHWC),
        k.avgPoolGrad(x.shape(), dy, spec),
        1e-12);
  }

  @Test
  void poolingRejectsGradientsOfTheWrongShapeAndNonFloatingInputs() {
    PoolSpec spec = PoolSpec.of(2, 2, Padding.VALID, NHWC);
    assertThatThrownBy(
            () -> k.maxPoolGrad(x3, Tensor.zeros(DType.FLOAT32, Shape.of(1, 2, 2, 1)), spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 2, 2, 1]")
        .hasMessageContaining("[1, 1, 1, 1]");
    assertThatThrownBy(() -> k.avgPool(Tensor.zeros(DType.INT32, Shape.of(1, 2, 2, 1)), spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INT32 [1, 2, 2, 1]");
  }
}
