package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
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

/**
 * The fast depthwise convolution and both its gradients against their reference twins, in both
 * formats, with every stride, dilation, padding and multiplier, on widths and channel counts around
 * the vector width. Tolerance, as for the other convolutions: {@code 1e-5 * (k + 1)} for a float
 * dot product of k terms with inputs in [-1, 1) ({@code k = kh * kw} forward, {@code kh * kw * M}
 * for the input gradient, the output pixels for the filter gradient).
 *
 * <p>The compared cases are numbered by their seed, which picks the case's choices (the first of
 * them in turn through their lists, so that every listed combination is met) and seeds the rest and
 * the data, so a failing case replays from the seed in its name.
 */
class FastDepthwiseTest {
  private static final int[] WIDTHS = {1, 2, 3, 7, 8, 9, 13, 16, 17, 31};
  private static final int[] CHANNELS = {1, 2, 3, 7, 8, 9, 13, 16, 17};
  private static final Padding[] PADDINGS = Padding.values();

  /** Every width with every channel count, twice. */
  static LongStream seeds() {
    return LongStream.range(0, 2 * WIDTHS.length * CHANNELS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void depthwiseConvolutionAndItsGradientsMatchReference(long seed) {
    int w = WIDTHS[(int) (seed % WIDTHS.length)];
    int c = CHANNELS[(int) (seed / WIDTHS.length % CHANNELS.length)];
    Random rnd = new Random(seed);
    Padding padding = PADDINGS[rnd.nextInt(PADDINGS.length)];
    int n = rnd.nextInt(0, 3);
    int h = rnd.nextInt(1, 14);
    int multiplier = rnd.nextInt(1, 4);
    int kh = rnd.nextInt(1, 4);
    int kw = rnd.nextInt(1, 5);
    int strideH = rnd.nextInt(1, 4);
    int strideW = rnd.nextInt(1, 4);
    int dilationH = rnd.nextInt(1, 3);
    int dilationW = rnd.nextInt(1, 4);
    DataFormat format = DataFormat.values()[rnd.nextInt(DataFormat.values().length)];
    boolean threaded = rnd.nextBoolean();
    Conv2dSpec spec =
        padding == Padding.EXPLICIT
            ? new Conv2dSpec(
                strideH,
                strideW,
                dilationH,
                dilationW,
                padding,
                rnd.nextInt(3),
                rnd.nextInt(3),
                rnd.nextInt(4),
                rnd.nextInt(4),
                format)
            : new Conv2dSpec(strideH, strideW, dilationH, dilationW, padding, 0, 0, 0, 0, format);
    Tensor x = random(rnd, format.shape(n, h, w, c));
    Tensor f = random(rnd, Shape.of(kh, kw, c, multiplier));
    assertFastMatchesReference(x, f, spec, fast(threaded), rnd);
  }

  private static void assertFastMatchesReference(
      Tensor x, Tensor f, Conv2dSpec spec, Kernels k, Random rnd) {
    Tensor expected = REFERENCE.depthwiseConv2d(x, f, spec);
    int taps = Math.toIntExact(f.shape().dim(0) * f.shape().dim(1));
    long multiplier = f.shape().dim(3);
    assertMatches(k.depthwiseConv2d(x, f, spec), expected, 1e-5 * (taps + 1), 0);
    Tensor dy = random(rnd, expected.shape());
    assertMatches(
        k.depthwiseConv2dBackpropInput(x.shape(), f, dy, spec),
        REFERENCE.depthwiseConv2dBackpropInput(x.shape(), f, dy, spec),
        1e-5 * (taps * multiplier + 1),
        0);
    long pixels = expected.size() / Math.max(1, f.shape().dim(2) * multiplier);
    assertMatches(
        k.depthwiseConv2dBackpropFilter(x, f.shape(), dy, spec),
        REFERENCE.depthwiseConv2dBackpropFilter(x, f.shape(), dy, spec),
        1e-5 * (pixels + 1),
        0);
  }

  @Test
  void largeDepthwiseConvolutionsSplitOverThreadsMatchReference() {
    // 2 × 33 × 37 × 17 × 2 × 9 taps: past the 64 Ki products at which work is split.
    Random rnd = new Random(3);
    for (DataFormat format : DataFormat.values()) {
      Tensor x = random(rnd, format.shape(2, 33, 37, 17));
      Tensor f = random(rnd, Shape.of(3, 3, 17, 2));
      for (Conv2dSpec spec :
          new Conv2dSpec[] {
            Conv2dSpec.of(1, Padding.SAME, format),
            Conv2dSpec.of(2, Padding.VALID, format),
            Conv2dSpec.explicit(1, 2, 2, 1, 3, 0, format).withDilations(2, 3)
          }) {
        assertFastMatchesReference(x, f, spec, fast(true), rnd);
        assertFastMatchesReference(x, f, spec, fast(false), rnd);
      }
    }
  }

  @Test
  void depthwiseOfAnEmptyBatchIsEmpty() {
    for (DataFormat format : DataFormat.values()) {
      Tensor x = Tensor.zeros(DType.FLOAT32, format.shape(0, 5, 5, 3));
      Tensor f = random(new Random(1), 3, 3, 3, 2);
      Conv2dSpec spec = Conv2dSpec.of(1, Padding.SAME, format);
      Tensor y = fast(true).depthwiseConv2d(x, f, spec);
      assertThat(y.shape()).isEqualTo(format.shape(0, 5, 5, 6));
      Tensor df = fast(true).depthwiseConv2dBackpropFilter(x, f.shape(), y, spec);
      assertThat(df.toFloatArray()).containsOnly(0f);
    }
  }

  @Test
  void depthwiseGradientsRejectAMismatchedOutputGradAsTheReferenceDoes() {
    Tensor x = random(new Random(1), 1, 4, 4, 3);
    Tensor f = random(new Random(2), 3, 3, 3, 1);
    Tensor dy = random(new Random(3), 1, 4, 4, 2);
    Conv2dSpec spec = Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC);
    assertThatThrownBy(() -> fast(false).depthwiseConv2dBackpropInput(x.shape(), f, dy, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depthwiseConv2dBackpropInput")
        .hasMessageContaining("[1, 4, 4, 2]");
    assertThatThrownBy(() -> fast(false).depthwiseConv2dBackpropFilter(x, f.shape(), dy, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depthwiseConv2dBackpropFilter")
        .hasMessageContaining("[1, 4, 4, 3]");
  }
}
