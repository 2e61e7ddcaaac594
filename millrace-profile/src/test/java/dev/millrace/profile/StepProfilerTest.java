package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.RunStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StepProfilerTest {
  private static final long MS = 1_000_000;

  private static RunStats ops(long convMs, long matmulMs) {
    return new RunStats(
        (convMs + matmulMs) * MS,
        0,
        List.of(
            new RunStats.OpStat("c", "Conv2D", 0, convMs * MS, "t", 0),
            new RunStats.OpStat("m", "MatMul", 0, matmulMs * MS, "t", 0)));
  }

  @Test
  void sharesMediansAndSampledOpsComeFromTheRecordedSteps() {
    StepProfiler p = new StepProfiler(2, 2, 10, 0.10);
    for (int i = 0; i < 12; i++) {
      p.record(new StepRecord(i, 0, 1 * MS, 9 * MS, 100), ops(6, 3));
    }
    assertThat(p.steps()).isEqualTo(12);
    assertThat(p.inputWaitShare()).isCloseTo(0.1, within(1e-12));
    assertThat(p.medianStepMillis()).isEqualTo(10.0);
    assertThat(p.examplesPerSecond()).isCloseTo(10_000, within(1e-6));
    // Warm-up steps 0 and 1 left out, then every second step: 2, 4, ..., 10.
    assertThat(p.sampledSteps()).isEqualTo(5);
    assertThat(p.topOps(5)).extracting(OpTime::type).containsExactly("Conv2D", "MatMul");
    OpTime conv = p.topOps(1).getFirst();
    assertThat(conv.share()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(conv.nanosPerStep()).isEqualTo(6.0 * MS);
    assertThat(conv.calls()).isEqualTo(5);
  }

  @Test
  void theLiveWarningIsGivenOnceWhileTheWaitStaysHighAndAgainOnlyAfterItFell() {
    StepProfiler p = new StepProfiler(0, 1, 10, 0.10);
    List<Long> warnedAt = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      boolean waiting = i < 100 || i >= 250;
      long wait = waiting ? 5 * MS : 0;
      Optional<String> w = p.record(new StepRecord(i, 0, wait, 5 * MS, 32), null);
      if (w.isPresent()) {
        warnedAt.add((long) i);
        assertThat(w.get())
            .matches("warning: the last 10 steps waited for input \\d+% of the time: .*");
      }
    }
    assertThat(warnedAt).hasSize(2);
    assertThat(warnedAt.get(0)).isEqualTo(9L);
    assertThat(warnedAt.get(1)).as("once the window crosses 10%% again").isBetween(250L, 259L);
  }

  @Test
  void aJobThatNeverWaitsIsNeverWarnedAbout() {
    StepProfiler p = StepProfiler.defaults();
    for (int i = 0; i < 500; i++) {
      assertThat(p.record(new StepRecord(i, 0, 0, 5 * MS, 32), null)).isEmpty();
    }
    assertThat(p.recentInputWaitShare()).isZero();
  }
}
