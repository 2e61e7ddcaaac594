package dev.millrace.cli;

import dev.millrace.nn.StepReport;
import dev.millrace.nn.TrainingListener;
import dev.millrace.profile.StepProfiler;
import dev.millrace.profile.StepRecord;
import java.io.PrintWriter;

/** Feeds each training step to a {@link StepProfiler} and prints its live warnings. */
final class ProfilingListener implements TrainingListener {
  private final StepProfiler profiler;
  private final PrintWriter err;
  private final boolean terminal;

  ProfilingListener(StepProfiler profiler, PrintWriter err, boolean terminal) {
    this.profiler = profiler;
    this.err = err;
    this.terminal = terminal;
  }

  static StepRecord record(StepReport s) {
    return new StepRecord(s.step(), s.startNanos(), s.waitNanos(), s.computeNanos(), s.examples());
  }

  @Override
  public void step(StepReport s) {
    profiler
        .record(record(s), s.runStats())
        .ifPresent(
            warning -> {
              // On a terminal, clear the progress bar's line first.
              err.println((terminal ? "\r\u001b[K" : "") + warning);
              err.flush();
            });
  }

  StepProfiler profiler() {
    return profiler;
  }
}
