package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parameterized cases are numbered by their seed, from which the record count and the shuffle
 * seed are derived, so a failing case replays from the seed in its name.
 */
class RecordOrderTest {
  /** Shuffle seeds at the edges of {@code long}, then random ones. */
  private static final long[] EDGE_SEEDS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};

  static LongStream seeds() {
    return LongStream.range(0, 100);
  }

  /** 0, 1 and {@code max} records first, then a random count up to {@code max}. */
  private static int count(long seed, Random rnd, int max) {
    return switch ((int) Math.min(seed, 3)) {
      case 0 -> 0;
      case 1 -> 1;
      case 2 -> max;
      default -> rnd.nextInt(0, max + 1);
    };
  }

  private static long shuffleSeed(long seed, Random rnd) {
    return seed < EDGE_SEEDS.length ? EDGE_SEEDS[(int) seed] : rnd.nextLong();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void shuffledOrderIsAPermutation(long seed) {
    Random rnd = new Random(seed);
    int n = count(seed, rnd, 2000);
    long shuffleSeed = shuffleSeed(seed, rnd);
    int[] order = RecordOrder.of(n, true, shuffleSeed);
    int[] sorted = order.clone();
    Arrays.sort(sorted);

    assertThat(sorted).isEqualTo(RecordOrder.of(n, false, shuffleSeed));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void theSameSeedGivesTheSameOrder(long seed) {
    Random rnd = new Random(seed);
    int n = count(seed, rnd, 500);
    long shuffleSeed = shuffleSeed(seed, rnd);
    assertThat(RecordOrder.of(n, true, shuffleSeed))
        .isEqualTo(RecordOrder.of(n, true, shuffleSeed));
  }

  @Test
  void withoutShuffleTheOrderIsTheSourceOrder() {
    assertThat(RecordOrder.of(4, false, 99)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void theOrderForASeedIsPinnedSoThatOutputsStayReproducible() {
    // java.util.Random is specified exactly; a change here would change every shuffled output.
    assertThat(RecordOrder.of(8, true, 42)).containsExactly(2, 6, 3, 1, 4, 0, 7, 5);
  }
}
