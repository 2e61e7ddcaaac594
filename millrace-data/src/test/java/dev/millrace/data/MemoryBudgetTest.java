package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Options.ramBudget bounds the bytes every buffer holds together, whatever autotuning wants. */
class MemoryBudgetTest {
  private static final int KB64 = 64 * 1024;

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  private static Features big(long i) {
    Tensor t = Tensor.zeros(DType.UINT8, Shape.of(KB64));
    t.setByte(0, (byte) i);
    return Features.of("blob", t);
  }

  @Test
  void bufferedBytesNeverExceedTheBudgetWhileAutotuneGrowsBuffers() {
    long budget = 2L << 20;
    Dataset<Features> d =
        Dataset.range(40)
            .interleave(
                x -> Dataset.range(x * 100, x * 100 + 60).map(MemoryBudgetTest::big).prefetch(8),
                3,
                4,
                Parallelism.AUTOTUNE)
            .map(f -> f, Parallelism.AUTOTUNE)
            .prefetch(Parallelism.AUTOTUNE)
            .map(f -> f.with("blob2", f.get("blob")), Parallelism.of(2))
            .prefetch(Parallelism.AUTOTUNE)
            .withOptions(Options.defaults().ramBudget(budget).maxParallelism(3));
    long n = 0;
    try (DatasetIterator<Features> it = d.iterator()) {
      while (it.hasNext()) {
        it.next();
        if (++n % 97 == 0) {
          // A slow consumer now and then, so buffers fill up to their limits.
          TestSupport.sleep(Duration.ofMillis(5));
        }
        assertThat(it.stats().peakBufferedBytes()).isLessThanOrEqualTo(budget);
      }
      PipelineStats s = it.stats();
      assertThat(n).isEqualTo(40 * 60);
      assertThat(s.peakBufferedBytes()).isPositive().isLessThanOrEqualTo(budget);
      long shares = 0;
      for (StageStats stage : s.stages()) {
        assertThat(stage.peakBufferedBytes()).as(stage.name()).isLessThanOrEqualTo(budget);
        if (stage.shareBytes() > 0 && !stage.name().contains("/")) {
          assertThat(stage.peakBufferedBytes())
              .as(stage.name())
              .isLessThanOrEqualTo(stage.shareBytes());
          shares += stage.shareBytes();
        }
      }
      assertThat(shares).isLessThanOrEqualTo(budget);
    }
  }

  /**
   * Workers that finish out of order leave their chunks pending instead of waiting their turn; the
   * pending chunks must still come out in input order and the budget must hold.
   */
  @Test
  void chunksFinishedOutOfOrderComeOutInOrderWithinTheBudget() {
    long budget = 1L << 20;
    Dataset<Features> d =
        Dataset.range(120)
            .map(
                i -> {
                  // Every third element is slow, so the workers finish chunks out of order.
                  if (i % 3 == 0) {
                    TestSupport.sleep(Duration.ofMillis(2));
                  }
                  return big(i);
                },
                Parallelism.of(3))
            .prefetch(2)
            .withOptions(Options.defaults().ramBudget(budget));
    try (DatasetIterator<Features> it = d.iterator()) {
      long expected = 0;
      while (it.hasNext()) {
        assertThat(it.next().get("blob").getByte(0)).isEqualTo((byte) expected++);
        TestSupport.sleep(Duration.ofMillis(1));
      }
      assertThat(expected).isEqualTo(120);
      PipelineStats stats = it.stats();
      assertThat(stats.peakBufferedBytes()).isPositive().isLessThanOrEqualTo(budget);
      for (StageStats s : stats.stages()) {
        assertThat(s.peakBufferedBytes()).as(s.name()).isLessThanOrEqualTo(s.shareBytes());
      }
    }
  }

  @Test
  void anElementLargerThanItsStagesShareFailsNamingTheBudget() {
    Dataset<Features> d =
        Dataset.range(3)
            .map(MemoryBudgetTest::big)
            .prefetch(2)
            .withOptions(Options.defaults().ramBudget(16 * 1024));
    assertThatThrownBy(d::toList)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("ramBudget");
  }

  @Test
  void aTinyBudgetStillDeliversEverythingInOrder() {
    Dataset<Long> d =
        Dataset.range(2000)
            .map(x -> x + 1, Parallelism.AUTOTUNE)
            .prefetch(Parallelism.AUTOTUNE)
            .withOptions(Options.defaults().ramBudget(600));
    List<Long> out = d.toList();
    assertThat(out).hasSize(2000);
    assertThat(out.get(1999)).isEqualTo(2000L);
  }
}
