package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast max and average pooling and their gradients against their reference twins, in both
 * formats, with unequal windows and strides, on widths and channel counts around the vector width.
 * Tolerances: max pooling exact (also with ties, NaN and signed zeros, whose first maximum the
 * gradient must pick as the reference does); average pooling {@code 1e-6} absolute and relative;
 * gradients, which add up to {@code o} overlapping windows' floats per input pixel, {@code 1e-6 *
 * (o + 1)} absolute and {@code 1e-6} relative.
 *
 * <p>The compared cases are numbered by their seed, which picks the case's choices (the first of
 * them in turn through their lists, so that every listed combination is met) and seeds the rest and
 * the data, so a failing case replays from the seed in its name.
 */
class FastPoolingTest {
  private static final int[] WIDTHS = {1, 2, 3, 7, 8, 9, 13, 16, 17, 31, 37};
  private static final int[] CHANNELS = {1, 2, 3, 7, 8, 9, 13, 16, 17};
  private static final DataFormat[] FORMATS = DataFormat.values();

  /** Random values, quantised into few levels (ties) or with NaNs and signed zeros. */
  enum Values {
    UNIFORM,
    TIES,
    SPECIAL
  }

  /** Every width with every channel count in both formats. */
  static LongStream seeds() {
    return LongStream.range(0, WIDTHS.length * CHANNELS.length * FORMATS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void poolingAndItsGradientsMatchReference(long seed) {
    int w = WIDTHS[(int) (seed % WIDTHS.length)];
    int c = CHANNELS[(int) (seed / WIDTHS.length % CHANNELS.length)];
    DataFormat format = FORMATS[(int) (seed / WIDTHS.length / CHANNELS.length)];
    Random rnd = new Random(seed);
    Values values = Values.values()[rnd.nextInt(Values.values().length)];
    int n = rnd.nextInt(1, 3);
    int h = rnd.nextInt(1, 12);
    int windowH = rnd.nextInt(1, 5);
    int windowW = rnd.nextInt(1, 5);
    int strideH = rnd.nextInt(1, 4);
    int strideW = rnd.nextInt(1, 4);
    boolean same = rnd.nextBoolean();
    boolean threaded = rnd.nextBoolean();
    PoolSpec spec =
        new PoolSpec(
            windowH, windowW, strideH, strideW, same ? Padding.SAME : Padding.VALID, format);
    Tensor x = values(rnd, values, format.shape(n, h, w, c));
    assertFastMatchesReference(x, spec, fast(threaded), rnd, values != Values.SPECIAL);
  }

  private static Tensor values(Random rnd, Values kind, Shape shape) {
    Tensor x = random(rnd, shape);
    for (long i = 0; i < x.size(); i++) {
      float v = x.getFloat(i);
      switch (kind) {
        case TIES -> x.setFloat(i, Math.round(v * 2) / 2f);
        case SPECIAL -> {
          int pick = rnd.nextInt(8);
          x.setFloat(
              i, pick == 0 ? Float.NaN : pick == 1 ? -0f : pick == 2 ? 0f : pick == 3 ? -1 : v);
        }
        default -> {}
      }
    }
    return x;
  }

  private static void assertFastMatchesReference(
      Tensor x, PoolSpec spec, Kernels k, Random rnd, boolean avgToo) {
    Tensor expected = REFERENCE.maxPool(x, spec);
    assertExactly(k.maxPool(x, spec), expected);
    Tensor dy = random(rnd, expected.shape());
    double overlap =
        Math.ceil((double) spec.windowH() / spec.strideH())
            * Math.ceil((double) spec.windowW() / spec.strideW());
    assertMatches(
        k.maxPoolGrad(x, dy, spec), REFERENCE.maxPoolGrad(x, dy, spec), 1e-6 * (overlap + 1), 1e-6);
    assertMatches(
        k.maxPoolGradOfRelu(x, dy, spec),
        REFERENCE.reluGrad(REFERENCE.maxPoolGrad(x, dy, spec), x),
        1e-6 * (overlap + 1),
        1e-6);
    assertMatches(
        k.avgPoolGrad(x.shape(), dy, spec),
        REFERENCE.avgPoolGrad(x.shape(), dy, spec),
        1e-6 * (overlap + 1),
        1e-6);
    if (avgToo) {
      assertMatches(k.avgPool(x, spec), REFERENCE.avgPool(x, spec), 1e-6, 1e-6);
    }
  }

  /** Equal values bit for bit, so that a signed zero or a NaN from another position shows. */
  private static void assertExactly(Tensor actual, Tensor expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    for (long i = 0; i < expected.size(); i++) {
      assertThat(Float.floatToIntBits(actual.getFloat(i)))
          .as(
              "element %d of %s: fast %s, reference %s",
              i, expected.shape(), actual.getFloat(i), expected.getFloat(i))
          .isEqualTo(Float.floatToIntBits(expected.getFloat(i)));
    }
  }

  @Test
  void twoByTwoPoolingAtStrideTwoOnWholeVectorsMatchesReference() {
    // The row path of 2×2 windows at stride 2 on whole vectors of channels (8, 16, 32, 48: whole
    // at 256 bits, at 512 from 16), with ties, NaN and signed zeros (its first maximum must be the
    // reference's), even and odd sizes, SAME padding (edge windows take the general path), both
    // threadings. Each case is checked bit for bit for the pooling.
    Random rnd = new Random(6);
    for (int c : new int[] {8, 16, 32, 48}) {
      for (int size : new int[] {6, 7, 12}) {
        for (Values kind : Values.values()) {
          Tensor x = values(rnd, kind, DataFormat.NHWC.shape(2, size, size + 3, c));
          for (Padding padding : new Padding[] {Padding.SAME, Padding.VALID}) {
            PoolSpec spec = PoolSpec.of(2, 2, padding, DataFormat.NHWC);
            assertFastMatchesReference(x, spec, fast(size % 2 == 0), rnd, kind != Values.SPECIAL);
          }
        }
      }
    }
  }

  @Test
  void largePoolingsSplitOverThreadsMatchReference() {
    // 2 × 16 × 33 × 37 outputs of 9 taps: past the 64 Ki products at which planes are split.
    Random rnd = new Random(5);
    for (DataFormat format : DataFormat.values()) {
      Tensor x = random(rnd, format.shape(2, 33, 37, 16));
      for (PoolSpec spec :
          new PoolSpec[] {
            PoolSpec.of(3, 1, Padding.SAME, format),
            PoolSpec.of(2, 2, Padding.VALID, format),
            PoolSpec.of(3, 2, Padding.SAME, format)
          }) {
        assertFastMatchesReference(x, spec, fast(true), rnd, true);
        assertFastMatchesReference(x, spec, fast(false), rnd, true);
      }
    }
  }

  @Test
  void maxPoolGradRoutesToTheFirstMaximumOfATie() {
    // One NCHW row of 10: windows of 3, stride 1; the maxima 1 tie inside every window.
    for (DataFormat format : DataFormat.values()) {
      float[] row = {1, 1, 0, 1, 1, 1, 0, 0, 1, 1};
      Tensor x = Tensor.ofFloats(format.shape(1, 1, 10, 1), row);
      PoolSpec spec = new PoolSpec(1, 3, 1, 1, Padding.VALID, format);
      Tensor dy = Tensor.ofFloats(format.shape(1, 1, 8, 1), 1, 2, 3, 4, 5, 6, 7, 8);
      Tensor dx = fast(false).maxPoolGrad(x, dy, spec);
      // Windows start at 0..7; their first maxima are at 0, 1, 3, 3, 4, 5, 8, 8.
      assertThat(dx.toFloatArray()).containsExactly(1, 2, 0, 7, 5, 6, 0, 0, 15, 0);
      assertExactly(dx, REFERENCE.maxPoolGrad(x, dy, spec));
    }
  }
}
