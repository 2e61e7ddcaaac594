package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-stage counters and the one-line bottleneck verdict. */
class StatsTest {
  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  @Test
  void everyStageCountsItsElementsInDataFlowOrder() {
    Dataset<java.util.List<Long>> d =
        Dataset.range(1000)
            .filter(x -> x % 4 != 0)
            .map(x -> x * 2, Parallelism.of(2))
            .batch(10, false, Batcher.toList())
            .prefetch(4);
    try (DatasetIterator<java.util.List<Long>> it = d.iterator()) {
      it.forEachRemaining(b -> {});
      PipelineStats s = it.stats();
      assertThat(s.stages())
          .extracting(StageStats::name)
          .containsExactly("range#0", "filter#1", "map#2", "batch#3", "prefetch#4");
      assertThat(s.stage("range#0").elements()).isEqualTo(1000);
      assertThat(s.stage("filter#1").elements()).isEqualTo(750);
      assertThat(s.stage("filter#1").dropped()).isEqualTo(250);
      assertThat(s.stage("map#2").elements()).isEqualTo(750);
      assertThat(s.stage("map#2").parallelism()).isEqualTo(2);
      assertThat(s.stage("map#2").bytes()).isEqualTo(750 * 16);
      assertThat(s.stage("batch#3").elements()).isEqualTo(75);
      assertThat(s.stage("prefetch#4").elements()).isEqualTo(75);
      assertThat(s.elementsDelivered()).isEqualTo(75);
      assertThat(s.dropped()).isEqualTo(250);
      assertThat(s.wallNanos()).isPositive();
    }
  }

  @Test
  void busyTimeOfACheapStageIsNotInflatedByItsSlowFirstCalls() {
    // The first calls of a stage are timed one by one, later ones about one in 64: each sample
    // must count for the calls it stands for, or a slow start (a cold JIT, a first file open)
    // multiplies the estimate (it read 200% busy for one thread).
    Dataset<Long> d =
        Dataset.range(400_000)
            .map(
                x -> {
                  if (x < 200) {
                    long end = System.nanoTime() + 100_000;
                    while (System.nanoTime() < end) {
                      Thread.onSpinWait();
                    }
                  }
                  return x;
                })
            .prefetch(64);
    try (DatasetIterator<Long> it = d.iterator()) {
      it.forEachRemaining(x -> {});
      StageStats map = it.stats().stage("map#1");
      // Truly ~20 ms (200 × 100 µs plus a few ns per call); unweighted samples gave ~1 s. The
      // upper bound leaves room for a loaded machine: one sampled call preempted for a few ms
      // stands for 64 calls (it read 230 ms with the machine's two cores busy elsewhere).
      assertThat(map.busyNanos()).isBetween(15_000_000L, 500_000_000L);
    }
  }

  @Test
  void theSummaryNamesASlowMapAsTheBottleneck() {
    Dataset<Long> d =
        Dataset.range(60)
            .map(x -> x + 1)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofMillis(3));
                  return x;
                },
                Parallelism.of(1))
            .prefetch(2);
    try (DatasetIterator<Long> it = d.iterator()) {
      it.forEachRemaining(x -> {});
      PipelineStats s = it.stats();
      assertThat(s.bottleneck().name()).isEqualTo("map#2");
      assertThat(s.summary()).startsWith("input-bound").contains("bottleneck map#2");
      assertThat(s.stage("map#2").busyNanos()).isGreaterThan(Duration.ofMillis(150).toNanos());
      assertThat(s.table()).contains("map#2").contains("prefetch#3");
    }
  }

  @Test
  void theSummarySaysConsumerBoundWhenThePipelineKeepsUp() {
    Dataset<Long> d = Dataset.range(100).map(x -> x + 1, Parallelism.of(2)).prefetch(8);
    try (DatasetIterator<Long> it = d.iterator()) {
      while (it.hasNext()) {
        it.next();
        TestSupport.sleep(Duration.ofMillis(3));
      }
      assertThat(it.stats().summary()).startsWith("consumer-bound");
    }
  }

  @Test
  void statsOfAnInterleavedDatasetAreSummedUnderItsScope() {
    Dataset<Long> d = Dataset.range(5).interleave(x -> Dataset.range(10).map(v -> v + x), 2, 1);
    try (DatasetIterator<Long> it = d.iterator()) {
      it.forEachRemaining(x -> {});
      PipelineStats s = it.stats();
      assertThat(s.stages())
          .extracting(StageStats::name)
          .containsExactly("range#0", "interleave#1/range#0", "interleave#1/map#1", "interleave#1");
      assertThat(s.stage("interleave#1/map#1").elements()).isEqualTo(50);
      assertThat(s.stage("interleave#1").elements()).isEqualTo(50);
    }
  }
}
