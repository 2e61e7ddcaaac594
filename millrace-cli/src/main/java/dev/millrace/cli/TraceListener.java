package dev.millrace.cli;

import dev.millrace.data.PipelineTracer;
import dev.millrace.nn.StepReport;
import dev.millrace.nn.TrainingListener;
import dev.millrace.profile.TraceRecorder;

/**
 * Feeds {@code train --trace}: the recorder hears every step's session ops and timing, and the
 * training pipeline reports its stages' work to it while the recorded steps run.
 */
final class TraceListener implements TrainingListener {
  private final TraceRecorder recorder;

  TraceListener(TraceRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public PipelineTracer pipelineTracer() {
    return recorder.pipelineTracer();
  }

  @Override
  public void step(StepReport s) {
    if (recorder.isDone()) {
      return;
    }
    recorder.sessionRun(s.step(), s.startNanos() + s.waitNanos(), s.runStats());
    recorder.step(ProfilingListener.record(s));
  }
}
