package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.profile.ReportData.Verdict;
import dev.millrace.records.Compression;
import dev.millrace.tensor.DataFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict rules on measurements chosen to sit on each side of every threshold. */
class DiagnosisRulesTest {
  private static ProbeRun run(String key, double stepsPerSecond, double wait, double stepMs) {
    return new ProbeRun(
        key, key, 100, 100 / stepsPerSecond, 128, wait, stepMs, 1.5, null, List.of(), List.of());
  }

  private static JobFacts facts(int inputThreads, int prefetch, DataFormat format) {
    return new JobFacts(
        2, inputThreads, prefetch, false, false, Compression.NONE, 1, 50 << 20, 2, format, 128);
  }

  private static Diagnosis diagnose(
      double a, double b, double c, double wait, double d, Optional<ProbeRun> other, JobFacts f) {
    return DiagnosisRules.diagnose(
        run("input_pipeline", a, 0, 1),
        run("model_alone", b, 0, 1000 / b),
        run("full_job", c, wait, 1000 / c),
        run("linear", d, 0.01, 1000 / d),
        other,
        f);
  }

  @Test
  void aJobWaitingTenPercentForInputIsInputBound() {
    Diagnosis d = diagnose(500, 10, 9, 0.10, 400, Optional.empty(), facts(1, 0, DataFormat.NHWC));
    assertThat(d.verdict()).isEqualTo(Verdict.INPUT_BOUND);
    assertThat(d.recommendations())
        .contains(
            "set --input-threads 2 (now 1) or leave it at 0 to autotune: decoding runs on too few"
                + " threads",
            "add prefetch: --prefetch -1 (autotuned), so batches are prepared during the step");
  }

  @Test
  void aPipelineSlowerAloneThanTheModelAloneIsInputBoundEvenWithoutWaiting() {
    Diagnosis d = diagnose(9, 10, 8, 0.0, 400, Optional.empty(), facts(0, -1, DataFormat.NHWC));
    assertThat(d.verdict()).isEqualTo(Verdict.INPUT_BOUND);
  }

  @Test
  void whenTheLinearModelIsNoFasterTheInputIsTheLimit() {
    Diagnosis d =
        diagnose(500, 300, 100, 0.06, 110, Optional.empty(), facts(0, -1, DataFormat.NHWC));
    assertThat(d.verdict()).isEqualTo(Verdict.INPUT_BOUND);
    assertThat(d.evidence().get(3)).contains("simplifying the model hardly helps");
  }

  @Test
  void littleWaitAndPipelineHeadroomIsComputeBoundAndNamesTheFasterFormat() {
    ProbeRun nhwc = run("model_alone_NHWC", 15, 0, 66);
    Diagnosis d =
        diagnose(500, 10, 9.8, 0.01, 400, Optional.of(nhwc), facts(0, -1, DataFormat.NCHW));
    assertThat(d.verdict()).isEqualTo(Verdict.COMPUTE_BOUND);
    assertThat(d.recommendations())
        .contains("use --format NHWC on this CPU: the model alone ran 1.50× faster in it")
        .anySatisfy(r -> assertThat(r).contains("--augment would cost no training speed"));
  }

  @Test
  void littleWaitButNoHeadroomIsBalanced() {
    Diagnosis d = diagnose(11, 10, 9.5, 0.03, 400, Optional.empty(), facts(0, -1, DataFormat.NHWC));
    assertThat(d.verdict()).isEqualTo(Verdict.BALANCED);
  }

  @Test
  void smallShardsAndCompressionAreNamed() {
    JobFacts f =
        new JobFacts(
            2, 0, -1, false, false, Compression.GZIP, 500, 1 << 20, 2, DataFormat.NHWC, 64);
    Diagnosis d = diagnose(500, 10, 8, 0.2, 9, Optional.empty(), f);
    assertThat(d.recommendations())
        .anySatisfy(r -> assertThat(r).startsWith("convert the small files to shards: 500 files"))
        .anySatisfy(r -> assertThat(r).startsWith("write uncompressed shards"));
  }
}
