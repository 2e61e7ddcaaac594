package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.kernels.internal.ElementwiseKernels;
import dev.millrace.kernels.internal.simd.SimdElementwise;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast elementwise, reduction, batch-norm and pooling kernels against their reference twins on
 * lengths around the vector width. Tolerances: arithmetic within 2 float ulps of the correctly
 * rounded result ({@code 2.5e-7} relative); exp, log, tanh and sigmoid within {@code 4e-6} relative
 * (the Vector API's float versions); float sums of {@code n} values in [-1, 1) within {@code 1e-6 *
 * n}; batch norm outputs (of order 1) within {@code 1e-4}; max pooling exact.
 *
 * <p>Each case is numbered by its seed: the seed picks the case's choices (in turn through the
 * short lists, so that every listed value is met) and seeds the random data, so a failing case
 * replays from the seed in its name.
 */
class FastElementwiseNormPoolTest {
  private static final int[] LENGTHS = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 127, 1031};
  private static final UnaryOp[] UNARY = UnaryOp.values();
  private static final BinaryOp[] BINARY = BinaryOp.values();
  private static final ReduceOp[] REDUCE = ReduceOp.values();
  private static final DataFormat[] FORMATS = DataFormat.values();

  /** Every unary op on every length. */
  static LongStream unaryCases() {
    return LongStream.range(0, UNARY.length * LENGTHS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("unaryCases")
  void unaryMatchesReference(long seed) {
    UnaryOp op = UNARY[(int) (seed % UNARY.length)];
    int n = LENGTHS[(int) (seed / UNARY.length)];
    Random rnd = new Random(seed);
    boolean threaded = rnd.nextBoolean();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (rnd.nextFloat() * 2 - 1) * 8;
      if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT) {
        v[i] = Math.abs(v[i]) + 1e-3f;
      }
    }
    Tensor x = Tensor.ofFloats(Shape.of(n), v);
    boolean transcendental =
        op == UnaryOp.EXP || op == UnaryOp.LOG || op == UnaryOp.TANH || op == UnaryOp.SIGMOID;
    assertMatches(
        fast(threaded).unary(op, x),
        REFERENCE.unary(op, x),
        transcendental ? 1e-6 : 1e-30,
        transcendental ? 4e-6 : 2.5e-7);
  }

  static LongStream lengthCases() {
    return LongStream.range(0, LENGTHS.length * 2L);
  }

  /**
   * Elu and EluGrad, whose twins the graph binds in its op entries: the fast Elu computes {@code
   * e^x - 1} in float as TensorFlow does, the reference {@code expm1}, so near zero they differ by
   * the rounding of {@code e^x} (2 ulps of 1: {@code 2.4e-7} absolute).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("lengthCases")
  void eluAndEluGradMatchReference(long seed) {
    int n = LENGTHS[(int) (seed % LENGTHS.length)];
    boolean threaded = seed >= LENGTHS.length;
    KernelThreads threads = threaded ? FastMatchesReference.POOL : KernelThreads.inline();
    Random rnd = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (rnd.nextFloat() * 2 - 1) * 8;
    }
    Tensor x = Tensor.ofFloats(Shape.of(n), v);
    Tensor y = ElementwiseKernels.elu(x);
    assertMatches(SimdElementwise.elu(x, threads), y, 2.4e-7, 4e-6);
    Tensor g = random(rnd, Shape.of(n));
    assertMatches(
        SimdElementwise.eluGrad(g, y, threads), ElementwiseKernels.eluGrad(g, y), 1e-30, 2.5e-7);
  }

  @Test
  void eluIsTheInputAtAndAboveZeroAndTendsToMinusOne() {
    Tensor x = Tensor.ofFloats(Shape.of(5), 0f, 3.5f, -1e-9f, -1f, -100f);
    for (Tensor y :
        java.util.List.of(
            ElementwiseKernels.elu(x), SimdElementwise.elu(x, KernelThreads.inline()))) {
      assertThat(y.getFloat(0)).isZero();
      assertThat(y.getFloat(1)).isEqualTo(3.5f);
      assertThat(y.getFloat(2)).isCloseTo(-1e-9f, org.assertj.core.api.Assertions.within(1e-7f));
      assertThat(y.getFloat(3))
          .isCloseTo((float) Math.expm1(-1), org.assertj.core.api.Assertions.within(1e-7f));
      assertThat(y.getFloat(4)).isEqualTo(-1f);
    }
    Tensor d = Tensor.ofDoubles(Shape.of(2), -2, 2);
    assertThat(SimdElementwise.elu(d, KernelThreads.inline()).toDoubleArray())
        .containsExactly(Math.expm1(-2), 2);
  }

  @Test
  void reluKeepsNanAndMapsNegativeZeroToZero() {
    Tensor x = Tensor.ofFloats(Shape.of(3), Float.NaN, -0f, -2f);
    Tensor y = fast(false).unary(UnaryOp.RELU, x);
    assertThat(y.getFloat(0)).isNaN();
    assertThat(Float.floatToIntBits(y.getFloat(1))).isEqualTo(Float.floatToIntBits(0f));
    assertThat(y.getFloat(2)).isZero();
  }

  /** Pairs of shapes that broadcast: same shape, a trailing vector, NCHW channels, a scalar. */
  private static final long[][] SHAPE_PAIRS = {
    {3, 5, 7, 9, -1, 3, 5, 7, 9},
    {3, 5, 7, 9, -1, 9},
    {2, 17, 3, 3, -1, 17, 1, 1},
    {31, -1},
    {4, 1, 11, -1, 4, 13, 1},
    {1, -1, 6, 8},
    {0, 8, -1, 8}
  };

  /** Every binary op on every pair of shapes, both ways round. */
  static LongStream binaryCases() {
    return LongStream.range(0, BINARY.length * SHAPE_PAIRS.length * 2);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("binaryCases")
  void binaryWithBroadcastingMatchesReference(long seed) {
    BinaryOp op = BINARY[(int) (seed % BINARY.length)];
    long[] pair = SHAPE_PAIRS[(int) (seed / BINARY.length % SHAPE_PAIRS.length)];
    boolean swap = seed / BINARY.length / SHAPE_PAIRS.length == 1;
    int cut = 0;
    while (pair[cut] != -1) {
      cut++;
    }
    Random rnd = new Random(seed);
    boolean threaded = rnd.nextBoolean();
    Tensor a = random(rnd, java.util.Arrays.copyOf(pair, cut));
    Tensor b = random(rnd, java.util.Arrays.copyOfRange(pair, cut + 1, pair.length));
    if (swap) {
      Tensor t = a;
      a = b;
      b = t;
    }
    if (op == BinaryOp.POW) {
      a = fast(false).unary(UnaryOp.ABS, a);
    }
    assertMatches(
        fast(threaded).binary(op, a, b),
        REFERENCE.binary(op, a, b),
        1e-6,
        op == BinaryOp.POW ? 1e-6 : 2.5e-7);
  }

  /** Every reduction over every subset of the four axes. */
  static LongStream reduceCases() {
    return LongStream.range(0, REDUCE.length * 16);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("reduceCases")
  void reductionsMatchReference(long seed) {
    ReduceOp op = REDUCE[(int) (seed % REDUCE.length)];
    int axesMask = (int) (seed / REDUCE.length);
    Random rnd = new Random(seed);
    boolean keepDims = rnd.nextBoolean();
    boolean threaded = rnd.nextBoolean();
    long[] dims = {3, 17, 9, 13};
    Tensor x = random(rnd, dims);
    int[] axes =
        java.util.stream.IntStream.range(0, 4).filter(i -> (axesMask >> i & 1) != 0).toArray();
    assertMatches(
        fast(threaded).reduce(op, x, axes, keepDims),
        REFERENCE.reduce(op, x, axes, keepDims),
        1e-6 * x.size(),
        0);
  }

  /** Sixty cases: every length in both formats, then more random data. */
  static LongStream sixtySeeds() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("sixtySeeds")
  void biasAddItsGradientAndReluGradMatchReference(long seed) {
    int channels = LENGTHS[(int) (seed % LENGTHS.length)];
    DataFormat format = FORMATS[(int) (seed / LENGTHS.length % FORMATS.length)];
    Random rnd = new Random(seed);
    Tensor x = random(rnd, format.shape(3, 5, 7, channels));
    Tensor bias = random(rnd, channels);
    Kernels k = fast(true);
    assertMatches(k.biasAdd(x, bias, format), REFERENCE.biasAdd(x, bias, format), 1e-6, 2.5e-7);
    assertMatches(k.biasAddGrad(x, format), REFERENCE.biasAddGrad(x, format), 1e-4, 0);
    Tensor g = random(rnd, x.shape());
    assertMatches(k.reluGrad(g, x), REFERENCE.reluGrad(g, x), 0, 0);
    Tensor six = k.binary(BinaryOp.MUL, x, Tensor.scalar(7f));
    assertMatches(k.relu6Grad(g, six), REFERENCE.relu6Grad(g, six), 0, 0);
    Tensor reduced = random(rnd, 1, 5, 1, 1);
    Tensor wide = random(rnd, 3, 5, 7, 2);
    assertMatches(
        k.sumToShape(wide, reduced.shape()), REFERENCE.sumToShape(wide, reduced.shape()), 1e-5, 0);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("sixtySeeds")
  void fusedBatchNormAndItsGradientMatchReference(long seed) {
    int channels = LENGTHS[(int) (seed % LENGTHS.length)];
    DataFormat format = FORMATS[(int) (seed / LENGTHS.length % FORMATS.length)];
    boolean training = seed / LENGTHS.length / FORMATS.length % 2 == 0;
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 5);
    int h = rnd.nextInt(1, 10);
    boolean threaded = rnd.nextBoolean();
    Tensor x = random(rnd, format.shape(n, h, 5, channels));
    // A large mean relative to the spread, to check the one-pass variance.
    x = REFERENCE.binary(BinaryOp.ADD, x, Tensor.scalar(3f));
    Tensor scale = random(rnd, channels);
    Tensor offset = random(rnd, channels);
    Tensor mean = random(rnd, channels);
    Tensor variance = REFERENCE.unary(UnaryOp.ABS, random(rnd, channels));
    Kernels k = fast(threaded);
    FusedBatchNormResult f =
        k.fusedBatchNorm(x, scale, offset, mean, variance, 1e-3, format, training);
    FusedBatchNormResult r =
        REFERENCE.fusedBatchNorm(x, scale, offset, mean, variance, 1e-3, format, training);
    assertMatches(f.y(), r.y(), 1e-4, 1e-5);
    assertMatches(f.batchMean(), r.batchMean(), 1e-5, 1e-5);
    assertMatches(f.batchVariance(), r.batchVariance(), 1e-5, 1e-4);
    assertMatches(f.savedMean(), r.savedMean(), 1e-5, 1e-5);
    assertMatches(f.savedInvStd(), r.savedInvStd(), 1e-5, 1e-4);
    if (training) {
      Tensor dy = random(rnd, x.shape());
      BatchNormGradients gf =
          k.fusedBatchNormGrad(dy, x, scale, r.savedMean(), r.savedInvStd(), format);
      BatchNormGradients gr =
          REFERENCE.fusedBatchNormGrad(dy, x, scale, r.savedMean(), r.savedInvStd(), format);
      assertMatches(gf.x(), gr.x(), 1e-3, 1e-4);
      assertMatches(gf.scale(), gr.scale(), 1e-4 * x.size() / Math.max(1, channels), 1e-4);
      assertMatches(gf.offset(), gr.offset(), 1e-5 * x.size() / Math.max(1, channels), 0);
    }
  }

  static LongStream poolingSeeds() {
    return LongStream.range(0, 80);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("poolingSeeds")
  void poolingAndItsGradientsMatchReference(long seed) {
    int channels = LENGTHS[(int) (seed % LENGTHS.length)];
    if (channels > 64) {
      channels = 17;
    }
    DataFormat format = FORMATS[(int) (seed / LENGTHS.length % FORMATS.length)];
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 4);
    int h = rnd.nextInt(1, 12);
    int w = rnd.nextInt(1, 12);
    int window = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 4);
    boolean same = rnd.nextBoolean();
    PoolSpec spec = PoolSpec.of(window, stride, same ? Padding.SAME : Padding.VALID, format);
    Tensor x = random(rnd, format.shape(n, h, w, channels));
    Tensor expected;
    try {
      expected = REFERENCE.maxPool(x, spec);
    } catch (IllegalArgumentException tooSmall) {
      return;
    }
    Kernels k = fast(true);
    assertMatches(k.maxPool(x, spec), expected, 0, 0);
    assertMatches(k.avgPool(x, spec), REFERENCE.avgPool(x, spec), 1e-6, 1e-6);
    Tensor dy = random(rnd, expected.shape());
    assertMatches(k.maxPoolGrad(x, dy, spec), REFERENCE.maxPoolGrad(x, dy, spec), 1e-6, 1e-6);
    assertMatches(
        k.avgPoolGrad(x.shape(), dy, spec), REFERENCE.avgPoolGrad(x.shape(), dy, spec), 1e-6, 1e-6);
  }
}
