package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast softmax, log-softmax and sparse softmax cross-entropy against their reference twins on
 * row lengths around the vector width (and its masked tail) and the exp-sum block. Tolerance: the
 * exp-like ops' {@code 4e-6} relative, with {@code 1e-6} absolute for outputs near 0 (an
 * exponential of a large negative logit difference, or a backprop {@code p - 1} with {@code p} near
 * 1); special values (NaN, infinities) exactly as the reference.
 *
 * <p>The compared cases are numbered by their seed, which picks the row and class counts (every
 * pair of the lists once) and seeds the other choices and the logits, so a failing case replays
 * from the seed in its name.
 */
class FastSoftmaxTest {
  private static final double ABSOLUTE = 1e-6;
  private static final double RELATIVE = 4e-6;

  private static final int[] ROWS = {0, 1, 2, 3, 7, 8, 9, 13, 31};

  /** 128 and 129: one exp-sum block of 16 vectors, and one more element. */
  private static final int[] CLASSES = {
    0, 1, 2, 3, 7, 8, 9, 10, 13, 16, 17, 31, 37, 128, 129, 1031
  };

  private static final float[] SPREADS = {1e-3f, 1f, 8f, 30f};

  /** Every pair of a row count and a class count. */
  static LongStream seeds() {
    return LongStream.range(0, ROWS.length * CLASSES.length);
  }

  private static int rows(long seed) {
    return ROWS[(int) (seed / CLASSES.length)];
  }

  private static int classes(long seed) {
    return CLASSES[(int) (seed % CLASSES.length)];
  }

  /** Logits uniform in [-spread, spread), with an offset so that the row maximum matters. */
  private static Tensor logits(Random rnd, float spread, long... dims) {
    Shape shape = Shape.of(dims);
    float[] v = new float[Math.toIntExact(shape.size())];
    float offset = (rnd.nextFloat() * 2 - 1) * 50;
    for (int i = 0; i < v.length; i++) {
      v[i] = offset + (rnd.nextFloat() * 2 - 1) * spread;
    }
    return Tensor.ofFloats(shape, v);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void softmaxAndLogSoftmaxMatchReference(long seed) {
    int rows = rows(seed);
    int classes = classes(seed);
    Random rnd = new Random(seed);
    float spread = SPREADS[rnd.nextInt(SPREADS.length)];
    boolean rank3 = rnd.nextBoolean();
    boolean threaded = rnd.nextBoolean();
    Tensor x = rank3 ? logits(rnd, spread, 2, rows, classes) : logits(rnd, spread, rows, classes);
    Kernels k = fast(threaded);
    assertMatches(k.softmax(x), REFERENCE.softmax(x), ABSOLUTE, RELATIVE);
    assertMatches(k.logSoftmax(x), REFERENCE.logSoftmax(x), ABSOLUTE, RELATIVE);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void sparseCrossEntropyMatchesReference(long seed) {
    int batch = rows(seed);
    int classes = classes(seed);
    if (classes == 0) {
      batch = 0; // every label would be out of range
    }
    Random rnd = new Random(seed);
    float spread = SPREADS[rnd.nextInt(SPREADS.length)];
    boolean int64Labels = rnd.nextBoolean();
    boolean threaded = rnd.nextBoolean();
    Tensor x = logits(rnd, spread, batch, classes);
    Tensor labels = labels(rnd, batch, classes, int64Labels);
    CrossEntropyResult f = fast(threaded).sparseSoftmaxCrossEntropy(x, labels);
    CrossEntropyResult r = REFERENCE.sparseSoftmaxCrossEntropy(x, labels);
    assertMatches(f.loss(), r.loss(), ABSOLUTE, RELATIVE);
    assertMatches(f.backprop(), r.backprop(), ABSOLUTE, RELATIVE);
  }

  private static Tensor labels(Random rnd, int batch, int classes, boolean int64) {
    long[] l = new long[batch];
    for (int b = 0; b < batch; b++) {
      l[b] = rnd.nextInt(classes);
    }
    if (int64) {
      return Tensor.ofLongs(Shape.of(batch), l);
    }
    int[] i = new int[batch];
    for (int b = 0; b < batch; b++) {
      i[b] = (int) l[b];
    }
    return Tensor.ofInts(Shape.of(batch), i);
  }

  @Test
  void largeInputsSplitOverThreadsMatchReference() {
    // 300 × 1031 = 309 300 elements: past the 64 Ki elements at which rows are split.
    Random rnd = new Random(11);
    Tensor x = logits(rnd, 8f, 300, 1031);
    assertMatches(fast(true).softmax(x), REFERENCE.softmax(x), ABSOLUTE, RELATIVE);
    assertMatches(fast(true).logSoftmax(x), REFERENCE.logSoftmax(x), ABSOLUTE, RELATIVE);
    Tensor labels = labels(rnd, 300, 1031, false);
    CrossEntropyResult f = fast(true).sparseSoftmaxCrossEntropy(x, labels);
    CrossEntropyResult r = REFERENCE.sparseSoftmaxCrossEntropy(x, labels);
    assertMatches(f.loss(), r.loss(), ABSOLUTE, RELATIVE);
    assertMatches(f.backprop(), r.backprop(), ABSOLUTE, RELATIVE);
  }

  @Test
  void specialValuesComeOutAsTheReferenceComputesThem() {
    float inf = Float.POSITIVE_INFINITY;
    float nan = Float.NaN;
    // Rows of 9 (one vector and a masked lane): -inf among finite values, all -inf, a +inf, two
    // +inf, a NaN in the masked tail, huge magnitudes (a single maximum: with two equal maxima
    // near 3e38 the reference's double max + log(2) rounds back to max and both get 1).
    Tensor x =
        rows(
            new float[] {1, -inf, 2, 3, 4, 5, 6, 7, 8},
            new float[] {-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf},
            new float[] {1, 2, inf, 3, 4, 5, 6, 7, 8},
            new float[] {inf, 2, inf, 3, 4, 5, 6, 7, -inf},
            new float[] {1, 2, 3, 4, 5, 6, 7, 8, nan},
            new float[] {1e30f, -1e30f, 3e38f, -3e38f, 0, 1, 2, 3, 1e38f});
    for (boolean threaded : new boolean[] {false, true}) {
      Kernels k = fast(threaded);
      assertMatches(k.softmax(x), REFERENCE.softmax(x), ABSOLUTE, RELATIVE);
      assertMatches(k.logSoftmax(x), REFERENCE.logSoftmax(x), ABSOLUTE, RELATIVE);
      Tensor labels = Tensor.ofInts(Shape.of(6), 1, 0, 2, 4, 8, 3);
      CrossEntropyResult f = k.sparseSoftmaxCrossEntropy(x, labels);
      CrossEntropyResult r = REFERENCE.sparseSoftmaxCrossEntropy(x, labels);
      assertMatches(f.loss(), r.loss(), ABSOLUTE, RELATIVE);
      assertMatches(f.backprop(), r.backprop(), ABSOLUTE, RELATIVE);
    }
  }

  private static Tensor rows(float[]... rows) {
    float[] v = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, v, r * rows[0].length, rows[0].length);
    }
    return Tensor.ofFloats(Shape.of(rows.length, rows[0].length), v);
  }

  @Test
  void softmaxRowsSumToOne() {
    Tensor x = logits(new Random(3), 8f, 5, 37);
    Tensor s = fast(false).softmax(x);
    for (int r = 0; r < 5; r++) {
      double sum = 0;
      for (int j = 0; j < 37; j++) {
        sum += s.getFloat(r * 37 + j);
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
    }
  }

  @Test
  void badArgumentsFailAsInTheReference() {
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(2, 3));
    Kernels k = fast(false);
    assertThatThrownBy(() -> k.sparseSoftmaxCrossEntropy(x, Tensor.ofInts(Shape.of(2), 0, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 3")
        .hasMessageContaining("[0, 3)");
    assertThatThrownBy(() -> k.sparseSoftmaxCrossEntropy(x, Tensor.ofLongs(Shape.of(2), -1, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label -1");
    assertThatThrownBy(() -> k.sparseSoftmaxCrossEntropy(x, Tensor.ofInts(Shape.of(3), 0, 1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels [3]");
    assertThatThrownBy(() -> k.softmax(Tensor.scalar(1f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank >= 1");
  }

  @Test
  void float64RunsTheReference() {
    Tensor x = Tensor.ofDoubles(Shape.of(1, 3), 1, 2, 3);
    assertThat(fast(false).softmax(x).dtype()).isEqualTo(DType.FLOAT64);
    assertMatches(fast(false).softmax(x), REFERENCE.softmax(x), 0, 0);
  }
}
