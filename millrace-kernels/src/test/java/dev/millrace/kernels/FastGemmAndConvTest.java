package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.AWKWARD;
import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.pick;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast MatMul and convolutions against their reference twins on awkward sizes. Tolerance: the
 * fast kernels accumulate {@code k} products in float, the reference in double, so an element may
 * differ by {@code 1e-5 * (k + 1)} with inputs in [-1, 1) (a float sum's error bound is about
 * {@code k * 6e-8} times the sum of the absolute products, itself at most {@code k}).
 *
 * <p>The compared cases are numbered by their seed, which picks the case's choices (the first of
 * them in turn through its list, so that every listed value is met) and seeds the rest and the
 * data, so a failing case replays from the seed in its name.
 */
class FastGemmAndConvTest {
  /** The awkward lengths and a few past the micro-kernel and block sizes. */
  private static final int[] MATMUL_SIZES =
      IntStream.concat(IntStream.of(AWKWARD), IntStream.of(97, 145, 257)).toArray();

  private static final int[] AWKWARD_CHANNELS = {1, 2, 3, 7, 8, 9, 12, 13, 16, 17};
  private static final Padding[] PADDINGS = Padding.values();
  private static final DataFormat[] FORMATS = DataFormat.values();

  static LongStream matmulSeeds() {
    return LongStream.range(0, 150);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("matmulSeeds")
  void matmulMatchesReferenceOnAwkwardSizes(long seed) {
    int m = MATMUL_SIZES[(int) (seed % MATMUL_SIZES.length)];
    Random rnd = new Random(seed);
    int n = pick(rnd, MATMUL_SIZES);
    int k = pick(rnd, MATMUL_SIZES);
    boolean transposeA = rnd.nextBoolean();
    boolean transposeB = rnd.nextBoolean();
    boolean threaded = rnd.nextBoolean();
    assertMatmulMatchesReference(rnd, m, n, k, transposeA, transposeB, threaded);
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

  @ParameterizedTest(name = "transposeA={0} transposeB={1} threaded={2}")
  @CsvSource({"false,false,false", "false,true,true", "true,false,true", "true,true,false"})
  void aShortDeepMatmulMatchesReference(boolean transposeA, boolean transposeB, boolean threaded) {
    // Few rows and a depth whose packed A is larger than L2: packed B panels then cover one depth
    // block at a time (a dense layer's weight gradient has this shape). Odd sizes everywhere.
    Random rnd = new Random(13);
    int m = 29;
    int n = 45;
    int k = 5003;
    assertMatmulMatchesReference(rnd, m, n, k, transposeA, transposeB, threaded);
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transposeB={3} threaded={4}")
  @CsvSource({
    "20,1500,200,false,false",
    "20,1500,200,false,true",
    "7,2051,131,true,true",
    "100,1043,1100,false,true",
    "100,1043,1100,false,false"
  })
  void aShortProductWithManyPanelsMatchesReference(
      int m, int n, int k, boolean transposeB, boolean threaded) {
    // A short A against a B wide enough that its panels are packed in several strips (or, when
    // A is too deep for L2, several depth blocks of all panels), with a last panel left partial.
    assertMatmulMatchesReference(new Random(n * 17L + k), m, n, k, false, transposeB, threaded);
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} threaded={3}")
  @CsvSource({
    "100,300,1024,true",
    "5,7,256,false",
    "13,70,270,true",
    "3,131,512,false",
    "9,5,4096,true"
  })
  void aDeepProductWithBTransposedMatchesReference(int m, int n, int k, boolean threaded) {
    // A dense layer's input gradient, dY · Wᵀ: a deep k whose B is packed column by column, at
    // depths that are and are not a whole number of vectors, with rows and columns left over.
    assertMatmulMatchesReference(new Random(m * 31L + n), m, n, k, false, true, threaded);
  }

  /** A random {@code m×k · k×n} product, each operand stored transposed or not. */
  private static void assertMatmulMatchesReference(
      Random rnd, int m, int n, int k, boolean transposeA, boolean transposeB, boolean threaded) {
    Tensor a = transposeA ? random(rnd, k, m) : random(rnd, m, k);
    Tensor b = transposeB ? random(rnd, n, k) : random(rnd, k, n);
    assertMatches(
        fast(threaded).matmul(a, b, transposeA, transposeB),
        REFERENCE.matmul(a, b, transposeA, transposeB),
        1e-5 * (k + 1),
        0);
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

  /** Every channel count with every padding in both formats, twice. */
  static LongStream conv2dSeeds() {
    return LongStream.range(0, 2 * AWKWARD_CHANNELS.length * PADDINGS.length * FORMATS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("conv2dSeeds")
  void conv2dAndItsGradientsMatchReference(long seed) {
    int c = AWKWARD_CHANNELS[(int) (seed % AWKWARD_CHANNELS.length)];
    Padding padding = PADDINGS[(int) (seed / AWKWARD_CHANNELS.length % PADDINGS.length)];
    DataFormat format =
        FORMATS[(int) (seed / AWKWARD_CHANNELS.length / PADDINGS.length % FORMATS.length)];
    Random rnd = new Random(seed);
    int n = rnd.nextInt(0, 4);
    int h = rnd.nextInt(1, 14);
    int w = rnd.nextInt(1, 18);
    int oc = pick(rnd, AWKWARD_CHANNELS);
    int kh = rnd.nextInt(1, 4);
    int kw = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 4);
    int dilation = rnd.nextInt(1, 3);
    boolean threaded = rnd.nextBoolean();
    UnaryOp activation = rnd.nextBoolean() ? UnaryOp.RELU : UnaryOp.RELU6;
    Conv2dSpec spec =
        padding == Padding.EXPLICIT
            ? Conv2dSpec.explicit(stride, stride, 1, 2, 0, 1, format)
            : new Conv2dSpec(stride, stride, dilation, dilation, padding, 0, 0, 0, 0, format);
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
    ConvEpilogue epilogue = new ConvEpilogue(random(rnd, oc), random(rnd, oc), activation);
    assertMatches(
        k.fusedConv2d(x, f, spec, epilogue),
        REFERENCE.fusedConv2d(x, f, spec, epilogue),
        1e-5 * (depth + 1),
        0);
  }

  /** Every channel count in both formats with both paddings, then more random shapes. */
  static LongStream depthwiseSeeds() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("depthwiseSeeds")
  void depthwiseConvolutionMatchesReference(long seed) {
    int c = AWKWARD_CHANNELS[(int) (seed % AWKWARD_CHANNELS.length)];
    DataFormat format = FORMATS[(int) (seed / AWKWARD_CHANNELS.length % FORMATS.length)];
    boolean same = seed / AWKWARD_CHANNELS.length / FORMATS.length % 2 == 0;
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 3);
    int h = rnd.nextInt(1, 10);
    int w = rnd.nextInt(1, 10);
    int multiplier = rnd.nextInt(1, 4);
    int kernel = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 3);
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
