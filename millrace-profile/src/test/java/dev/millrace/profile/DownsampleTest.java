package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.profile.internal.report.Downsample;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DownsampleTest {
  /** Lengths around the bound and awkward ones: empty, one, primes, exact multiples. */
  static Stream<Arguments> lengthsAndBounds() {
    return Stream.of(
        Arguments.of(0, 2_000),
        Arguments.of(1, 2_000),
        Arguments.of(1_999, 2_000),
        Arguments.of(2_000, 2_000),
        Arguments.of(2_001, 2_000),
        Arguments.of(3_600, 2_000),
        Arguments.of(20_000, 2_000),
        Arguments.of(104_729, 2_000),
        Arguments.of(17, 1),
        Arguments.of(97, 7));
  }

  @ParameterizedTest(name = "n={0}, max={1}")
  @MethodSource("lengthsAndBounds")
  void bucketsCoverEveryInputOnceWithinTheBoundAndEquallySized(int n, int max) {
    int[] bounds = Downsample.buckets(n, max);
    int points = bounds.length - 1;
    int size = Downsample.perPoint(n, max);

    assertThat(points).isLessThanOrEqualTo(max).isEqualTo(n == 0 ? 0 : (n + size - 1) / size);
    assertThat(bounds[0]).isZero();
    assertThat(bounds[points]).isEqualTo(n);
    int[] counts = Downsample.counts(bounds);
    for (int b = 0; b < points; b++) {
      assertThat(counts[b]).as("bucket %d", b).isPositive();
      if (b < points - 1) {
        assertThat(counts[b]).as("bucket %d", b).isEqualTo(size);
      } else {
        assertThat(counts[b]).as("last bucket").isLessThanOrEqualTo(size);
      }
    }
    if (n <= max) {
      assertThat(counts).containsOnly(n == 0 ? new int[0] : new int[] {1});
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void meansArePerBucketAndKeepTheWeightedMeanOfTheInput(long seed) {
    Random random = new Random(seed);
    int n = 1 + random.nextInt(50_000);
    int max = 1 + random.nextInt(3_000);
    double[] values = random.doubles(n, -5, 100).toArray();
    int[] bounds = Downsample.buckets(n, max);
    double[] means = Downsample.means(values, bounds);
    int[] counts = Downsample.counts(bounds);

    assertThat(means).hasSizeLessThanOrEqualTo(max);
    double weighted = 0;
    for (int b = 0; b < means.length; b++) {
      double expected = Arrays.stream(values, bounds[b], bounds[b + 1]).average().orElseThrow();
      assertThat(means[b]).as("bucket %d", b).isCloseTo(expected, within(1e-9));
      weighted += means[b] * counts[b];
    }
    assertThat(weighted / n).isCloseTo(Arrays.stream(values).average().orElseThrow(), within(1e-9));
  }

  static IntStream seeds() {
    return IntStream.of(1, 2, 3, 42, 20_250_314);
  }

  @Test
  void absentValuesAreLeftOutOfTheirBucketAndAnEmptyBucketIsAbsent() {
    double nan = Double.NaN;
    double[] values = {1, nan, 3, nan, nan, nan, 10};
    int[] bounds = Downsample.buckets(values.length, 3);

    assertThat(bounds).containsExactly(0, 3, 6, 7);
    assertThat(Downsample.means(values, bounds)).containsExactly(2, nan, 10);
  }

  @Test
  void rejectsBoundsThatDoNotFitTheValues() {
    assertThatThrownBy(() -> Downsample.means(new double[5], Downsample.buckets(4, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bounds end at 4 but there are 5 values");
    assertThatThrownBy(() -> Downsample.buckets(10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n 10, maxPoints 0 (expected: n >= 0, maxPoints >= 1)");
  }
}
