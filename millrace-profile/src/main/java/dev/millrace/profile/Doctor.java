package dev.millrace.profile;

import dev.millrace.nn.TrainConfig;
import dev.millrace.tensor.DataFormat;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code millrace doctor}: runs the performance guide's method on a training job — (a) its input
 * pipeline alone, (b) its model alone on in-memory batches, (c) the whole job, (d) the job with the
 * linear model; when compute matters, also (b) in the other data format — and states a verdict with
 * evidence and recommendations ({@link DiagnosisRules}).
 */
public final class Doctor {
  private Doctor() {}

  /**
   * Diagnoses the job {@code config} describes with {@code steps} timed steps per run after {@code
   * warmup} untimed ones; {@code progress} hears which run starts.
   */
  public static Diagnosis diagnose(
      TrainConfig config,
      int steps,
      int warmup,
      boolean tryOtherFormat,
      Consumer<String> progress) {
    JobProbe probe = new JobProbe(config, steps, warmup);
    progress.accept("(a) input pipeline alone");
    ProbeRun a = probe.inputPipeline();
    progress.accept("(b) model alone on an in-memory batch");
    ProbeRun b = probe.modelAlone(config.format());
    progress.accept("(c) full job");
    ProbeRun c = probe.fullJob();
    progress.accept("(d) linear model on the same pipeline");
    ProbeRun d = probe.linear();
    Optional<ProbeRun> other = Optional.empty();
    if (tryOtherFormat && c.inputWaitShare() < DiagnosisRules.INPUT_BOUND_WAIT) {
      DataFormat f = config.format() == DataFormat.NHWC ? DataFormat.NCHW : DataFormat.NHWC;
      progress.accept("(b) model alone in " + f);
      other = Optional.of(probe.modelAlone(f));
    }
    return DiagnosisRules.diagnose(a, b, c, d, other, JobFacts.of(config));
  }
}
