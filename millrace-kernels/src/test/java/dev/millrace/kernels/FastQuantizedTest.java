package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.pick;
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
 * The fast eight-bit MatMul and Conv2D equal their reference twins exactly (integer sums), on sizes
 * around the vector widths (4, 8, 16 int lanes) and tile heights (8, 12), with zero points at both
 * ends of the code range and between, and codes drawn from the extremes as well as uniformly. The
 * build runs this class at each vector width.
 *
 * <p>Cases are numbered by their seed, which picks the case's choices (the first in turn through
 * its list) and the data, so a failing case replays from the seed in its name.
 */
class FastQuantizedTest {
  private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 33, 47};
  private static final int[] ZEROS = {0, 255, 128, 1, 77};
  private static final int[] CHANNELS = {1, 2, 3, 4, 7, 8, 9, 13, 16, 17, 32, 33};
  private static final Padding[] PADDINGS = Padding.values();

  static LongStream matMulSeeds() {
    return LongStream.range(0, 120);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("matMulSeeds")
  void matMulEqualsReference(long seed) {
    int m = SIZES[(int) (seed % SIZES.length)];
    Random rnd = new Random(seed);
    int n = pick(rnd, SIZES);
    int k = pick(rnd, SIZES);
    boolean ta = seed / 2 % 2 == 0;
    boolean tb = seed / 4 % 2 == 0;
    int za = ZEROS[(int) (seed % ZEROS.length)];
    int zb = pick(rnd, ZEROS);
    Tensor a = codes(rnd, ta ? Shape.of(k, m) : Shape.of(m, k));
    Tensor b = codes(rnd, tb ? Shape.of(n, k) : Shape.of(k, n));
    boolean threaded = rnd.nextBoolean();
    Tensor sums = REFERENCE.quantizedMatMul(a, za, ta, b, zb, tb);
    assertEqual(fast(threaded).quantizedMatMul(a, za, ta, b, zb, tb), sums);
    AffineRequantization affine = affine(rnd, n, k);
    assertThat(
            fast(threaded).quantizedMatMulRequantized(a, za, ta, b, zb, tb, affine).toByteArray())
        .isEqualTo(REFERENCE.quantizedMatMulRequantized(a, za, ta, b, zb, tb, affine).toByteArray())
        .isEqualTo(affine.applyTo(sums).toByteArray());
    float[] scale = affine.scale();
    float[] offset = affine.offset();
    Tensor values = fast(threaded).quantizedMatMulDequantized(a, za, ta, b, zb, tb, scale, offset);
    assertThat(values.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(values.toFloatArray())
        .isEqualTo(
            REFERENCE
                .quantizedMatMulDequantized(a, za, ta, b, zb, tb, scale, offset)
                .toFloatArray());
  }

  /**
   * A random per-channel affine requantization whose codes spread over the whole range for sums of
   * {@code k} products (so clamping at both ends and every code between show), half the time with a
   * ReLU's low code.
   */
  private static AffineRequantization affine(Random rnd, int channels, int k) {
    float[] scale = new float[channels];
    float[] offset = new float[channels];
    float spread = 255f / (Math.max(1, k) * 128f * 128f) * 4f;
    for (int c = 0; c < channels; c++) {
      scale[c] = (rnd.nextFloat() * 2 - 0.5f) * spread;
      offset[c] = rnd.nextFloat() * 300 - 20;
    }
    return new AffineRequantization(scale, offset, rnd.nextBoolean() ? 0 : rnd.nextInt(1, 200));
  }

  @Test
  void largeMatMulSplitOverThreadsEqualsReference() {
    Random rnd = new Random(11);
    // Rows 4 KiB apart (k = 1024) take the padded row stride.
    for (int[] mnk : new int[][] {{131, 77, 301}, {37, 29, 1024}, {5, 400, 64}}) {
      Tensor a = codes(rnd, Shape.of(mnk[0], mnk[2]));
      Tensor b = codes(rnd, Shape.of(mnk[2], mnk[1]));
      assertEqual(
          fast(true).quantizedMatMul(a, 3, false, b, 250, false),
          REFERENCE.quantizedMatMul(a, 3, false, b, 250, false));
    }
  }

  @Test
  void extremeCodesEqualReferenceIncludingWrappedSums() {
    // 255·255 products: k = 40000 sums pass 2^31 and wrap in 32 bits, as the reference's do.
    int k = 40_000;
    Tensor a = filled(Shape.of(3, k), (byte) 255);
    Tensor b = filled(Shape.of(k, 5), (byte) 0);
    Tensor ref = REFERENCE.quantizedMatMul(a, 0, false, b, 255, false);
    assertThat(ref.getInt(0)).isEqualTo(-255 * 255 * k);
    assertEqual(fast(true).quantizedMatMul(a, 0, false, b, 255, false), ref);
    Tensor c = filled(Shape.of(k, 3), (byte) 0);
    Tensor d = filled(Shape.of(5, k), (byte) 0);
    Tensor wrapped = REFERENCE.quantizedMatMul(c, 255, true, d, 255, true);
    assertThat(wrapped.getInt(0)).isEqualTo(255 * 255 * k); // wrapped to a negative int
    assertEqual(fast(false).quantizedMatMul(c, 255, true, d, 255, true), wrapped);
  }

  @Test
  void emptyMatMulsAreZeroOrEmpty() {
    Tensor a = Tensor.zeros(DType.QUINT8, Shape.of(3, 0));
    Tensor b = Tensor.zeros(DType.QUINT8, Shape.of(0, 4));
    Tensor c = fast(false).quantizedMatMul(a, 5, false, b, 9, false);
    assertThat(c.dtype()).isEqualTo(DType.QINT32);
    assertThat(ints(c)).containsOnly(0).hasSize(12);
    Tensor e = fast(false).quantizedMatMul(b, 5, true, b, 9, false);
    assertThat(e.shape()).isEqualTo(Shape.of(4, 4));
    assertThat(fast(false).quantizedMatMul(b, 1, false, b, 1, true).shape())
        .isEqualTo(Shape.of(0, 0));
  }

  @Test
  void refusesWhatTheReferenceRefuses() {
    Tensor f = Tensor.zeros(DType.FLOAT32, Shape.of(2, 2));
    Tensor q = Tensor.zeros(DType.QUINT8, Shape.of(2, 3));
    assertThatThrownBy(() -> fast(false).quantizedMatMul(f, 0, false, f, 0, false))
        .hasMessageContaining("must be quint8");
    assertThatThrownBy(() -> fast(false).quantizedMatMul(q, 0, false, q, 0, false))
        .hasMessageContaining("inner dimensions differ");
    Tensor x = Tensor.zeros(DType.QUINT8, Shape.of(1, 3, 3, 2));
    Tensor w = Tensor.zeros(DType.QUINT8, Shape.of(1, 1, 3, 1));
    assertThatThrownBy(
            () -> fast(false).quantizedConv2d(x, 0, w, 0, Conv2dSpec.of(1, Padding.SAME, NHWC)))
        .hasMessageContaining("input depth 2");
    assertThatThrownBy(
            () ->
                fast(false)
                    .quantizedConv2d(x, 0, w, 0, Conv2dSpec.of(1, Padding.SAME, DataFormat.NCHW)))
        .hasMessageContaining("NHWC only");
  }

  private static final DataFormat NHWC = DataFormat.NHWC;

  static LongStream convSeeds() {
    return LongStream.range(0, 2L * CHANNELS.length * PADDINGS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("convSeeds")
  void conv2dEqualsReference(long seed) {
    int c = CHANNELS[(int) (seed % CHANNELS.length)];
    Padding padding = PADDINGS[(int) (seed / CHANNELS.length % PADDINGS.length)];
    Random rnd = new Random(seed);
    int n = rnd.nextInt(0, 4);
    int h = rnd.nextInt(1, 14);
    int w = rnd.nextInt(1, 30);
    int oc = pick(rnd, CHANNELS);
    int kh = rnd.nextInt(1, 4);
    int kw = rnd.nextInt(1, 4);
    int stride = pick(rnd, 1, 2, 1, 3);
    int dilation = pick(rnd, 1, 1, 2);
    Conv2dSpec spec =
        padding == Padding.EXPLICIT
            ? Conv2dSpec.explicit(stride, stride, 1, 2, 0, 1, NHWC)
            : new Conv2dSpec(stride, stride, dilation, dilation, padding, 0, 0, 0, 0, NHWC);
    Tensor x = codes(rnd, Shape.of(n, h, w, c));
    Tensor f = codes(rnd, Shape.of(kh, kw, c, oc));
    int zx = ZEROS[(int) (seed % ZEROS.length)];
    int zf = pick(rnd, ZEROS);
    boolean threaded = rnd.nextBoolean();
    Tensor expected;
    try {
      expected = REFERENCE.quantizedConv2d(x, zx, f, zf, spec);
    } catch (IllegalArgumentException tooSmall) {
      assertThatThrownBy(() -> fast(threaded).quantizedConv2d(x, zx, f, zf, spec))
          .isInstanceOf(IllegalArgumentException.class);
      return;
    }
    assertEqual(fast(threaded).quantizedConv2d(x, zx, f, zf, spec), expected);
    ConvRequantization rq = requantization(rnd, oc);
    Tensor codes = fast(threaded).quantizedConv2dRequantized(x, zx, f, zf, spec, rq);
    assertThat(codes.dtype()).isEqualTo(DType.QUINT8);
    assertThat(codes.toByteArray()).isEqualTo(rq.applyTo(expected).toByteArray());
    AffineRequantization affine = affine(rnd, oc, kh * kw * c);
    assertThat(fast(threaded).quantizedConv2dRequantized(x, zx, f, zf, spec, affine).toByteArray())
        .isEqualTo(affine.applyTo(expected).toByteArray());
  }

  /**
   * A requantization from a random 32-bit range into a random 8-bit one, then a random table: each
   * channel's codes permuted differently, so a sum sent to the wrong channel shows.
   */
  private static ConvRequantization requantization(Random rnd, int channels) {
    float inMax = (float) Math.exp(rnd.nextDouble(-2, 12));
    float outMax = (float) Math.exp(rnd.nextDouble(-3, 3));
    FixedPointRequantizer toCode =
        new FixedPointRequantizer(-inMax, inMax, -outMax * rnd.nextFloat(), outMax);
    byte[] table = new byte[channels * 256];
    rnd.nextBytes(table);
    return new ConvRequantization(toCode, table);
  }

  @Test
  void batchedConvLayersSplitOverThreadsEqualReference() {
    Random rnd = new Random(12);
    for (int[] l :
        new int[][] {{16, 16, 32, 1}, {32, 32, 16, 1}, {16, 32, 32, 2}, {3, 16, 20, 1}}) {
      Tensor x = codes(rnd, Shape.of(3, l[2], l[2], l[0]));
      Tensor f = codes(rnd, Shape.of(3, 3, l[0], l[1]));
      Conv2dSpec spec = Conv2dSpec.of(l[3], Padding.SAME, NHWC);
      Tensor expected = REFERENCE.quantizedConv2d(x, 255, f, 0, spec);
      assertEqual(fast(true).quantizedConv2d(x, 255, f, 0, spec), expected);
      ConvRequantization rq = requantization(rnd, l[1]);
      assertThat(fast(true).quantizedConv2dRequantized(x, 255, f, 0, spec, rq).toByteArray())
          .isEqualTo(rq.applyTo(expected).toByteArray());
      AffineRequantization affine = affine(rnd, l[1], 9 * l[0]);
      assertThat(fast(true).quantizedConv2dRequantized(x, 255, f, 0, spec, affine).toByteArray())
          .isEqualTo(affine.applyTo(expected).toByteArray());
    }
  }

  @Test
  void offHeapTensorsAreRead() {
    Random rnd = new Random(13);
    Tensor a = codes(rnd, Shape.of(13, 9));
    Tensor b = codes(rnd, Shape.of(9, 17));
    try (Tensor na = Tensor.allocateNative(DType.QUINT8, a.shape());
        Tensor nb = Tensor.allocateNative(DType.QUINT8, b.shape())) {
      na.data().copyFrom(a.data());
      nb.data().copyFrom(b.data());
      assertEqual(
          fast(false).quantizedMatMul(na, 100, false, nb, 20, false),
          REFERENCE.quantizedMatMul(a, 100, false, b, 20, false));
    }
  }

  /** Codes drawn half the time from the extremes 0 and 255, else uniformly. */
  private static Tensor codes(Random rnd, Shape shape) {
    byte[] v = new byte[Math.toIntExact(shape.size())];
    boolean extremes = rnd.nextBoolean();
    for (int i = 0; i < v.length; i++) {
      v[i] = extremes ? (byte) (rnd.nextBoolean() ? 255 : 0) : (byte) rnd.nextInt(256);
    }
    return Tensor.ofBytes(DType.QUINT8, shape, v);
  }

  private static Tensor filled(Shape shape, byte code) {
    byte[] v = new byte[Math.toIntExact(shape.size())];
    java.util.Arrays.fill(v, code);
    return Tensor.ofBytes(DType.QUINT8, shape, v);
  }

  private static int[] ints(Tensor qint32) {
    return qint32.data().toArray(java.lang.foreign.ValueLayout.JAVA_INT);
  }

  private static void assertEqual(Tensor actual, Tensor expected) {
    assertThat(actual.dtype()).isEqualTo(DType.QINT32);
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(ints(actual)).isEqualTo(ints(expected));
  }
}
