package dev.millrace.cli;

import dev.millrace.data.PipelineStats;
import dev.millrace.nn.EpochReport;
import dev.millrace.nn.StepReport;
import dev.millrace.nn.TrainResult;
import dev.millrace.nn.TrainingListener;
import dev.millrace.profile.ReportData;
import dev.millrace.profile.StepProfiler;
import dev.millrace.profile.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Collects what {@code train --report} shows: the steps (the first {@value #MAX_STEPS}; the page
 * averages them down to its own bound), the epochs and the last epoch's pipeline statistics.
 */
final class TrainReportListener implements TrainingListener {
  static final int MAX_STEPS = 200_000;

  private final List<StepRecord> steps = new ArrayList<>();
  private final List<ReportData.Epoch> epochs = new ArrayList<>();
  private PipelineStats pipeline;

  @Override
  public void step(StepReport s) {
    if (steps.size() < MAX_STEPS) {
      steps.add(ProfilingListener.record(s));
    }
  }

  @Override
  public void epoch(EpochReport e) {
    epochs.add(
        new ReportData.Epoch(
            e.epoch() + 1,
            e.trainLoss(),
            e.trainAccuracy(),
            Double.isNaN(e.evalAccuracy())
                ? OptionalDouble.empty()
                : OptionalDouble.of(e.evalAccuracy()),
            e.imagesPerSecond(),
            e.trainSeconds() + e.evalSeconds()));
    pipeline = e.pipeline();
  }

  List<StepRecord> steps() {
    return steps;
  }

  ReportData data(
      TrainResult r, StepProfiler profiler, String commandLine, List<ReportData.Sample> samples) {
    List<String> advice = new ArrayList<>();
    if (r.inputWaitShare() > 0.10) {
      advice.add(
          String.format(
              java.util.Locale.ROOT,
              "the steps waited for input %.0f%% of the time: run 'millrace doctor' with the same"
                  + " options to see what to change",
              100 * r.inputWaitShare()));
    } else {
      advice.add(
          String.format(
              java.util.Locale.ROOT,
              "the input pipeline kept up (input wait %.1f%% of step time): compute is where the"
                  + " time goes",
              100 * r.inputWaitShare()));
    }
    ReportData data =
        ReportData.of(
                "millrace train: " + r.model() + " " + r.format(),
                commandLine,
                ReportData.Host.current(),
                Instant.now())
            .withRecommendations(advice)
            .withRuns(
                List.of(
                    new ReportData.Run(
                        "train",
                        r.model() + " " + r.format() + ", " + r.steps() + " steps",
                        r.imagesPerSecond()
                            / Math.max(1, steps.isEmpty() ? 1 : steps.getFirst().examples()),
                        r.imagesPerSecond(),
                        r.inputWaitShare(),
                        r.stepMillisMedian())))
            .withSteps(ReportData.Step.of(steps))
            .withEpochs(epochs)
            .withOps(Reports.ops(profiler.topOps(20), profiler.sampledSteps()))
            .withSamples(samples);
    return pipeline == null ? data : data.withStages(ReportData.Stage.of(pipeline));
  }
}
