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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConvolutionTest {
  private static final DataFormat NHWC = DataFormat.NHWC;
  private static final DataFormat NCHW = DataFormat.NCHW;
  private final Kernels k = new ReferenceKernels();

  /** A 1×n×n×1 image holding 1, 2, 3, ... row-major. */
  private static Tensor ramp(int n) {
    float[] v = new float[n * n];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    return Tensor.ofFloats(Shape.of(1, n, n, 1), v);
  }

  private static Tensor ones(int kh, int kw) {
    float[] v = new float[kh * kw];
    java.util.Arrays.fill(v, 1);
    return Tensor.ofFloats(Shape.of(kh, kw, 1, 1), v);
  }

  @Test
  void validWindowGeometryFollowsTheCeilFormula() {
    // ceil((in - (k - 1) * d) / s)
    assertThat(Window1d.of(5, 3, 1, 1, Padding.VALID, 0, 0)).isEqualTo(new Window1d(3, 0, 0));
    assertThat(Window1d.of(5, 3, 2, 1, Padding.VALID, 0, 0).out()).isEqualTo(2);
    assertThat(Window1d.of(6, 3, 2, 1, Padding.VALID, 0, 0).out()).isEqualTo(2);
    assertThat(Window1d.of(7, 3, 2, 2, Padding.VALID, 0, 0).out()).isEqualTo(2);
    assertThat(Window1d.of(6, 3, 2, 2, Padding.VALID, 0, 0).out()).isEqualTo(1);
    assertThat(Window1d.of(2, 3, 1, 1, Padding.VALID, 0, 0).out()).isZero();
  }

  @Test
  void sameWindowGeometryPutsTheOddPixelAfter() {
    // out = ceil(in / s); pad_total = max((out - 1) s + (k - 1) d + 1 - in, 0)
    assertThat(Window1d.of(5, 3, 1, 1, Padding.SAME, 0, 0)).isEqualTo(new Window1d(5, 1, 1));
    assertThat(Window1d.of(4, 3, 2, 1, Padding.SAME, 0, 0)).isEqualTo(new Window1d(2, 0, 1));
    assertThat(Window1d.of(5, 2, 1, 1, Padding.SAME, 0, 0)).isEqualTo(new Window1d(5, 0, 1));
    assertThat(Window1d.of(7, 3, 1, 2, Padding.SAME, 0, 0)).isEqualTo(new Window1d(7, 2, 2));
    assertThat(Window1d.of(6, 1, 4, 1, Padding.SAME, 0, 0)).isEqualTo(new Window1d(2, 0, 0));
  }

  @Test
  void validConvolutionSumsEachWindow() {
    Tensor y = k.conv2d(ramp(3), ones(2, 2), Conv2dSpec.of(1, Padding.VALID, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 2, 2, 1));
    assertValues(y, 0, 12, 16, 24, 28);
  }

  @Test
  void sameConvolutionWithAnEvenFilterPadsOnlyAfter() {
    Tensor y = k.conv2d(ramp(3), ones(2, 2), Conv2dSpec.of(1, Padding.SAME, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 3, 3, 1));
    assertValues(y, 0, 12, 16, 9, 24, 28, 15, 15, 17, 9);
  }

  @Test
  void sameConvolutionWithStrideTwoOnAnOddSizePadsOneEachSide() {
    Tensor y = k.conv2d(ramp(5), ones(3, 3), Conv2dSpec.of(2, Padding.SAME, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 3, 3, 1));
    assertValues(y, 0, 16, 33, 28, 69, 117, 87, 76, 123, 88);
  }

  @Test
  void sameConvolutionWithStrideTwoOnAnEvenSizePadsOnlyAfter() {
    Tensor y = k.conv2d(ramp(4), ones(3, 3), Conv2dSpec.of(2, Padding.SAME, NHWC));
    assertValues(y, 0, 54, 45, 72, 54);
  }

  @Test
  void dilationTwoSpreadsTheTaps() {
    Conv2dSpec spec = Conv2dSpec.of(1, Padding.VALID, NHWC).withDilations(2, 2);
    Tensor y = k.conv2d(ramp(5), ones(2, 2), spec);
    // x(r, c) = 5r + c + 1; taps at (i, j), (i, j+2), (i+2, j), (i+2, j+2): 20i + 4j + 28.
    assertValues(y, 0, 28, 32, 36, 48, 52, 56, 68, 72, 76);
  }

  @Test
  void explicitPaddingAddsTheGivenRowsAndColumns() {
    Tensor filter = Tensor.ofFloats(Shape.of(1, 1, 1, 1), 2);
    Tensor y = k.conv2d(ramp(2), filter, Conv2dSpec.explicit(1, 1, 1, 0, 0, 2, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 3, 4, 1));
    assertValues(y, 0, 0, 0, 0, 0, 2, 4, 0, 0, 6, 8, 0, 0);
  }

  @Test
  void oneByOneConvolutionIsAMatmulOverPixels() {
    Random rnd = new Random(1);
    Tensor x = random(rnd, 2, 3, 4, 5);
    Tensor f = random(rnd, 1, 1, 5, 7);
    Tensor y = k.conv2d(x, f, Conv2dSpec.of(1, Padding.SAME, NHWC));
    Tensor mm = k.matmul(x.reshape(Shape.of(24, 5)), f.reshape(Shape.of(5, 7)), false, false);
    assertClose(y, mm.reshape(Shape.of(2, 3, 4, 7)), 1e-12);
  }

  @Test
  void convolutionMatchesANaiveFormulaOnAnExplicitlyPaddedInput() {
    Random rnd = new Random(2);
    int[][] cases = { // h, w, kh, kw, stride, dilation, same
      {5, 7, 3, 3, 1, 1, 1},
      {6, 5, 3, 2, 2, 1, 1},
      {7, 7, 2, 3, 2, 2, 0},
      {4, 9, 1, 1, 3, 1, 1},
      {9, 6, 3, 3, 1, 2, 1},
      {5, 5, 5, 5, 1, 1, 0}
    };
    for (int[] c : cases) {
      Tensor x = random(rnd, 2, c[0], c[1], 3);
      Tensor f = random(rnd, c[2], c[3], 3, 4);
      Conv2dSpec spec =
          Conv2dSpec.of(c[4], c[6] == 1 ? Padding.SAME : Padding.VALID, NHWC)
              .withDilations(c[5], c[5]);
      assertClose(k.conv2d(x, f, spec), naiveConv(x, f, c[4], c[5], c[6] == 1), 1e-12);
    }
  }

  /** Conv2D written from the definition: pad the image with zeros, then slide (NHWC, HWIO). */
  private static Tensor naiveConv(Tensor x, Tensor f, int s, int d, boolean same) {
    long[] xd = x.shape().dims();
    long[] fd = f.shape().dims();
    long[] pads = new long[4];
    long[] outHw = new long[2];
    for (int a = 0; a < 2; a++) {
      long in = xd[1 + a];
      long eff = (fd[a] - 1) * d + 1;
      if (same) {
        outHw[a] = (in + s - 1) / s;
        long total = Math.max((outHw[a] - 1) * s + eff - in, 0);
        pads[2 * a] = total / 2;
        pads[2 * a + 1] = total - total / 2;
      } else {
        outHw[a] = (in - eff + s) / s;
      }
    }
    long ph = xd[1] + pads[0] + pads[1];
    long pw = xd[2] + pads[2] + pads[3];
    double[][][][] p = new double[(int) xd[0]][(int) ph][(int) pw][(int) xd[3]];
    for (int n = 0; n < xd[0]; n++) {
      for (int h = 0; h < xd[1]; h++) {
        for (int w = 0; w < xd[2]; w++) {
          for (int c = 0; c < xd[3]; c++) {
            p[n][h + (int) pads[0]][w + (int) pads[2]][c] =
                x.getDouble(((n * xd[1] + h) * xd[2] + w) * xd[3] + c);
          }
        }
      }
    }
    double[] out = new double[(int) (xd[0] * outHw[0] * outHw[1] * fd[3])];
    int o = 0;
    for (int n = 0; n < xd[0]; n++) {
      for (int i = 0; i < outHw[0]; i++) {
        for (int j = 0; j < outHw[1]; j++) {
          for (int oc = 0; oc < fd[3]; oc++) {
            double sum = 0;
            for (int di = 0; di < fd[0]; di++) {
              for (int dj = 0; dj < fd[1]; dj++) {
                for (int ic = 0; ic < fd[2]; ic++) {
                  sum +=
                      p[n][i * s + di * d][j * s + dj * d][ic]
                          * f.getDouble(((di * fd[1] + dj) * fd[2] + ic) * fd[3] + oc);
                }
              }
            }
            out[o++] = sum;
          }
        }
      }
    }
    return Tensor.ofDoubles(Shape.of(xd[0], outHw[0], outHw[1], fd[3]), out);
  }

  static LongStream seeds60() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds60")
  void nchwConvolutionEqualsNhwcAfterTransposing(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 3);
    int h = rnd.nextInt(1, 8);
    int w = rnd.nextInt(1, 8);
    int c = rnd.nextInt(1, 4);
    int kernel = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 3);
    int dilation = rnd.nextInt(1, 3);
    boolean same = rnd.nextBoolean();
    boolean depthwise = rnd.nextBoolean();
    Tensor x = random(rnd, n, h, w, c);
    Tensor f = random(rnd, kernel, kernel, c, 2);
    Conv2dSpec spec =
        Conv2dSpec.of(stride, same ? Padding.SAME : Padding.VALID, NHWC)
            .withDilations(dilation, dilation);
    Tensor xc = x.toFormat(NHWC, NCHW);
    Conv2dSpec specC = spec.withFormat(NCHW);
    if (depthwise) {
      Tensor y = k.depthwiseConv2d(x, f, spec);
      assertClose(k.depthwiseConv2d(xc, f, specC).toFormat(NCHW, NHWC), y, 1e-12);
      Tensor dy = random(rnd, y.shape().dims());
      assertClose(
          k.depthwiseConv2dBackpropInput(xc.shape(), f, dy.toFormat(NHWC, NCHW), specC),
          k.depthwiseConv2dBackpropInput(x.shape(), f, dy, spec).toFormat(NHWC, NCHW),
          1e-12);
    } else {
      Tensor y = k.conv2d(x, f, spec);
      assertClose(k.conv2d(xc, f, specC).toFormat(NCHW, NHWC), y, 1e-12);
      Tensor dy = random(rnd, y.shape().dims());
      assertClose(
          k.conv2dBackpropFilter(xc, f.shape(), dy.toFormat(NHWC, NCHW), specC),
          k.conv2dBackpropFilter(x, f.shape(), dy, spec),
          1e-12);
    }
  }

  @Test
  void depthwiseConvolutionGivesEachChannelItsOwnFilters() {
    // NHWC 1×2×1×2: channel 0 holds 1, 2; channel 1 holds 10, 20.
    Tensor x = Tensor.ofFloats(Shape.of(1, 2, 1, 2), 1, 10, 2, 20);
    Tensor f = Tensor.ofFloats(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
    Tensor y = k.depthwiseConv2d(x, f, Conv2dSpec.of(1, Padding.VALID, NHWC));
    assertThat(y.shape()).isEqualTo(Shape.of(1, 2, 1, 4));
    assertValues(y, 0, 1, 2, 30, 40, 2, 4, 60, 80);
  }

  @Test
  void depthwiseConvolutionEqualsAConv2dPerInputChannel() {
    Random rnd = new Random(3);
    Tensor x = random(rnd, 2, 6, 5, 3);
    Tensor f = random(rnd, 3, 2, 3, 2);
    Conv2dSpec spec = Conv2dSpec.of(2, Padding.SAME, NHWC).withDilations(1, 1);
    List<Tensor> perChannel = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      Tensor xc = k.slice(x, new long[] {0, 0, 0, c}, new long[] {-1, -1, -1, 1});
      Tensor fc = k.slice(f, new long[] {0, 0, c, 0}, new long[] {-1, -1, 1, -1});
      perChannel.add(k.conv2d(xc, fc, spec));
    }
    assertClose(k.depthwiseConv2d(x, f, spec), k.concat(perChannel, 3), 1e-12);
  }

  @Test
  void float32ConvolutionKeepsItsType() {
    Tensor y = k.conv2d(ramp(3), ones(3, 3), Conv2dSpec.of(1, Padding.SAME, NHWC));
    assertThat(y.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(y.getFloat(4)).isEqualTo(45);
  }

  @Test
  void convolutionRejectsAChannelMismatchNamingBothShapes() {
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(2, 5, 5, 3));
    Tensor f = Tensor.zeros(DType.FLOAT32, Shape.of(3, 3, 4, 8));
    assertThatThrownBy(() -> k.conv2d(x, f, Conv2dSpec.of(1, Padding.SAME, NHWC)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("conv2d: input [2, 5, 5, 3] has 3 channels but filter [3, 3, 4, 8] expects 4");
  }

  @Test
  void convolutionRejectsBadRanksTypesAndGradientShapes() {
    Conv2dSpec spec = Conv2dSpec.of(1, Padding.VALID, NHWC);
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(1, 4, 4, 2));
    Tensor f = Tensor.zeros(DType.FLOAT32, Shape.of(3, 3, 2, 1));
    assertThatThrownBy(() -> k.conv2d(Tensor.zeros(DType.FLOAT32, Shape.of(4, 4, 2)), f, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank-4")
        .hasMessageContaining("[4, 4, 2]");
    assertThatThrownBy(() -> k.conv2d(x, Tensor.zeros(DType.FLOAT64, Shape.of(3, 3, 2, 1)), spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FLOAT32 [1, 4, 4, 2]")
        .hasMessageContaining("FLOAT64 [3, 3, 2, 1]");
    assertThatThrownBy(() -> k.conv2d(Tensor.zeros(DType.INT32, Shape.of(1, 4, 4, 2)), f, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INT32 [1, 4, 4, 2]");
    Tensor badGrad = Tensor.zeros(DType.FLOAT32, Shape.of(1, 3, 3, 1));
    assertThatThrownBy(() -> k.conv2dBackpropInput(x.shape(), f, badGrad, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outputGrad [1, 3, 3, 1]")
        .hasMessageContaining("[1, 2, 2, 1]");
  }
}
