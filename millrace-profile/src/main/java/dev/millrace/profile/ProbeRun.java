package dev.millrace.profile;

import dev.millrace.data.PipelineStats;
import java.util.List;

/**
 * One of the doctor's measurements: a number of steps of one arrangement of the job, timed after a
 * warm-up.
 *
 * @param key a short name: {@code input_pipeline}, {@code model_alone}, {@code full_job}, {@code
 *     linear}, or {@code model_alone_<format>} for the other data format
 * @param name what was run, in words
 * @param steps steps timed
 * @param seconds their wall time
 * @param batch examples per step
 * @param inputWaitShare the share of step time spent waiting for input (0 where there is no input)
 * @param medianStepMillis the median step
 * @param processCpuCores CPU cores this process kept busy on average during the run (NaN if the JVM
 *     cannot tell)
 * @param pipeline the pipeline's statistics at the end (null where no pipeline ran)
 * @param topOps the op types taking most compute time (empty where no model ran)
 * @param stepRecords the timed steps (for the report), at most a bounded number
 */
public record ProbeRun(
    String key,
    String name,
    long steps,
    double seconds,
    int batch,
    double inputWaitShare,
    double medianStepMillis,
    double processCpuCores,
    PipelineStats pipeline,
    List<OpTime> topOps,
    List<StepRecord> stepRecords) {
  public ProbeRun {
    topOps = List.copyOf(topOps);
    stepRecords = List.copyOf(stepRecords);
  }

  public double stepsPerSecond() {
    return seconds <= 0 ? 0 : steps / seconds;
  }

  public double imagesPerSecond() {
    return stepsPerSecond() * batch;
  }
}
