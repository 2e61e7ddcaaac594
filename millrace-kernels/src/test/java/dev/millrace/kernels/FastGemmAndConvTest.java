package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.AWKWARD;
import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The fast MatMul and convolutions against their reference twins on awkward sizes. Tolerance: the
 * fast kernels accumulate {@code k} products in float, the reference in double, so an element may
 * differ by {@code 1e-5 * (k + 1)} with inputs in [-1, 1) (a float sum's error bound is about
 * {@code k * 6e-8} times the sum of the absolute products, itself at most {@code k}).
 */
class FastGemmAndConvTest {

  @Provide
  Arbitrary<Integer> awkward() {
    return Arbitraries.of(
        AWKWARD[0],
        AWKWARD[1],
        AWKWARD[2],
        AWKWARD[3],
        AWKWARD[4],
        AWKWARD[5],
        AWKWARD[6],
        AWKWARD[7],
        AWKWARD[8],
        AWKWARD[9],
        AWKWARD[10],
        AWKWARD[11],
        AWKWARD[12],
        AWKWARD[13],
        AWKWARD[14],
        97,
        145,
        257);
  }

  @Property(tries = 150)
  void matmulMatchesReferenceOnAwkwardSizes(
      @ForAll("awkward") int m,
      @ForAll("awkward") int n,
      @ForAll("awkward") int k,
      @ForAll boolean transposeA,
      @ForAll boolean transposeB,
      @ForAll boolean threaded,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Tensor a = transposeA ? random(rnd, k, m) : random(rnd, m, k);
    Tensor b = transposeB ? random(rnd, n, k) : random(rnd, k, n);
    assertMatches(
        fast(threaded).matmul(a, b, transposeA, transposeB),
        REFERENCE.matmul(a, b, transposeA, transposeB),
        1e-5 * (k + 1),
        0);
  }

  @Test
  void matmulOfALargeSquareSplitOverThreadsMatchesReference() {
    Random rnd = new Random(7);
    // Larger than one packed block in every direction (MC = 144, KC = 256), and not a multiple.
    Tensor a = random(rnd, 301, 523);
    Tensor b = random(rnd, 523, 269);
    assertMatches(
        fast(true).matmul(a, b, false, false), REFERENCE.matmul(a, b, false, false), 6e-3, 0);
  }

  @Test
  void matmulRejectsMismatchedShapesAsTheReferenceDoes() {
    Tensor a = Tensor.ofFloats(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    assertThatThrownBy(() -> fast(false).matmul(a, a, false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 columns")
        .hasMessageContaining("2 rows");
  }

  @Test
  void matmulOfOtherTypesRunsTheReference() {
    Tensor a = Tensor.ofLongs(Shape.of(1, 2), 3, 4);
    Tensor b = Tensor.ofLongs(Shape.of(2, 1), 5, 6);
    assertThat(fast(false).matmul(a, b, false, false).toLongArray()).containsExactly(39);
  }

  @Property(tries = 120)
  void conv2dAndItsGradientsMatchReference(
      @ForAll @IntRange(min = 0, max = 3) int n,
      @ForAll @IntRange(min = 1, max = 13) int h,
      @ForAll @IntRange(min = 1, max = 17) int w,
      @ForAll("awkwardChannels") int c,
      @ForAll("awkwardChannels") int oc,
      @ForAll @IntRange(min = 1, max = 3) int kh,
      @ForAll @IntRange(min = 1, max = 3) int kw,
      @ForAll @IntRange(min = 1, max = 3) int stride,
      @ForAll @IntRange(min = 1, max = 2) int dilation,
      @ForAll Padding padding,
      @ForAll DataFormat format,
      @ForAll boolean threaded,
      @ForAll long seed) {
    Conv2dSpec spec =
        padding == Padding.EXPLICIT
            ? Conv2dSpec.explicit(stride, stride, 1, 2, 0, 1, format)
            : new Conv2dSpec(stride, stride, dilation, dilation, padding, 0, 0, 0, 0, format);
    Random rnd = new Random(seed);
    Tensor x = random(rnd, format.shape(n, h, w, c));
    Tensor f = random(rnd, Shape.of(kh, kw, c, oc));
    Tensor expected;
    try {
      expected = REFERENCE.conv2d(x, f, spec);
    } catch (IllegalArgumentException tooSmall) {
      assertThatThrownBy(() -> fast(threaded).conv2d(x, f, spec))
          .isInstanceOf(IllegalArgumentException.class);
      return;
    }
    Kernels k = fast(threaded);
    int depth = kh * kw * c;
    assertMatches(k.conv2d(x, f, spec), expected, 1e-5 * (depth + 1), 0);
    Tensor dy = random(rnd, expected.shape());
    long pixels = expected.size() / Math.max(1, oc);
    assertMatches(
        k.conv2dBackpropInput(x.shape(), f, dy, spec),
        REFERENCE.conv2dBackpropInput(x.shape(), f, dy, spec),
        1e-5 * (kh * kw * oc + 1),
        0);
    assertMatches(
        k.conv2dBackpropFilter(x, f.shape(), dy, spec),
        REFERENCE.conv2dBackpropFilter(x, f.shape(), dy, spec),
        1e-5 * (pixels + 1),
        0);
    ConvEpilogue epilogue =
        new ConvEpilogue(
            random(rnd, oc), random(rnd, oc), seed % 2 == 0 ? UnaryOp.RELU : UnaryOp.RELU6);
    assertMatches(
        k.fusedConv2d(x, f, spec, epilogue),
        REFERENCE.fusedConv2d(x, f, spec, epilogue),
        1e-5 * (depth + 1),
        0);
  }

  @Provide
  Arbitrary<Integer> awkwardChannels() {
    return Arbitraries.of(1, 2, 3, 7, 8, 9, 12, 13, 16, 17);
  }

  @Property(tries = 60)
  void depthwiseConvolutionMatchesReference(
      @ForAll @IntRange(min = 1, max = 2) int n,
      @ForAll @IntRange(min = 1, max = 9) int h,
      @ForAll @IntRange(min = 1, max = 9) int w,
      @ForAll("awkwardChannels") int c,
      @ForAll @IntRange(min = 1, max = 3) int multiplier,
      @ForAll @IntRange(min = 1, max = 3) int kernel,
      @ForAll @IntRange(min = 1, max = 2) int stride,
      @ForAll boolean same,
      @ForAll DataFormat format,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Conv2dSpec spec = Conv2dSpec.of(stride, same ? Padding.SAME : Padding.VALID, format);
    Tensor x = random(rnd, format.shape(n, h, w, c));
    Tensor f = random(rnd, Shape.of(kernel, kernel, c, multiplier));
    Tensor expected;
    try {
      expected = REFERENCE.depthwiseConv2d(x, f, spec);
    } catch (IllegalArgumentException tooSmall) {
      return;
    }
    assertMatches(fast(true).depthwiseConv2d(x, f, spec), expected, 1e-5 * kernel * kernel, 0);
  }

  @Test
  void wideConvolutionsMatchReference() {
    // 128 output channels and more switch NHWC patches from row-major copies to k-major packing.
    Random rnd = new Random(5);
    for (DataFormat format : DataFormat.values()) {
      for (int kernel : new int[] {1, 3}) {
        Tensor x = random(rnd, format.shape(2, 6, 7, 5));
        Tensor f = random(rnd, Shape.of(kernel, kernel, 5, 131));
        for (Conv2dSpec spec :
            new Conv2dSpec[] {
              Conv2dSpec.of(1, Padding.SAME, format), Conv2dSpec.of(2, Padding.VALID, format)
            }) {
          assertMatches(
              fast(true).conv2d(x, f, spec), REFERENCE.conv2d(x, f, spec), 1e-5 * (45 + 1), 0);
        }
      }
    }
  }

  @Test
  void pointwiseConvolutionOfAnEmptyBatchIsEmpty() {
    for (DataFormat format : DataFormat.values()) {
      Tensor x = Tensor.zeros(dev.millrace.tensor.DType.FLOAT32, format.shape(0, 5, 5, 3));
      Tensor f = random(new Random(1), 1, 1, 3, 4);
      Tensor y = fast(true).conv2d(x, f, Conv2dSpec.of(1, Padding.SAME, format));
      assertThat(y.shape()).isEqualTo(format.shape(0, 5, 5, 4));
    }
  }

  @Test
  void convolutionErrorsNameTheShapesAsTheReferenceDoes() {
    Tensor x = random(new Random(1), 1, 4, 4, 3);
    Tensor f = random(new Random(2), 3, 3, 2, 4);
    assertThatThrownBy(
            () -> fast(false).conv2d(x, f, Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 channels")
        .hasMessageContaining("[3, 3, 2, 4]");
  }
}
