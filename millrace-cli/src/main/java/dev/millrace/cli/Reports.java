package dev.millrace.cli;

import dev.millrace.profile.Diagnosis;
import dev.millrace.profile.OpTime;
import dev.millrace.profile.ProbeRun;
import dev.millrace.profile.ReportData;
import dev.millrace.profile.UtilisationSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns the doctor's and the trainer's results into the HTML report's data. */
final class Reports {
  private Reports() {}

  static ReportData.Run run(ProbeRun r) {
    return new ReportData.Run(
        r.key(),
        r.name(),
        r.stepsPerSecond(),
        r.imagesPerSecond(),
        r.inputWaitShare(),
        r.medianStepMillis());
  }

  static List<ReportData.Op> ops(List<OpTime> ops, long sampledSteps) {
    List<ReportData.Op> out = new ArrayList<>();
    for (OpTime t : ops) {
      out.add(new ReportData.Op(t.type(), t.nanos() / 1e6, t.share(), t.calls()));
    }
    return out;
  }

  /** {@code d} with the machine's CPU and disk over the doctor's runs added to its evidence. */
  static Diagnosis withUtilisation(Diagnosis d, UtilisationSummary u) {
    if (u.samples() == 0) {
      return d;
    }
    List<String> evidence = new ArrayList<>(d.evidence());
    evidence.add(
        String.format(
            java.util.Locale.ROOT,
            "over the doctor's runs: this process kept %.2f cores busy on average (%.0f%% of the"
                + " machine's CPU), the whole machine %.0f%%; %.1f MB read from disk (%.1f MB"
                + " including the page cache)",
            u.meanProcessCores(),
            100 * u.meanProcessCpu(),
            100 * u.meanMachineCpu(),
            Math.max(0, u.diskReadBytes()) / 1e6,
            Math.max(0, u.readBytes()) / 1e6));
    return new Diagnosis(
        d.verdict(),
        d.inputPipeline(),
        d.modelAlone(),
        d.fullJob(),
        d.linear(),
        d.otherFormat(),
        evidence,
        d.recommendations());
  }

  static ReportData diagnosis(Diagnosis d, String commandLine, List<ReportData.Sample> samples) {
    ProbeRun c = d.fullJob();
    ReportData data =
        ReportData.of(
                "millrace doctor: " + d.verdict().text(),
                commandLine,
                ReportData.Host.current(),
                Instant.now())
            .withDiagnosis(d.verdict(), d.evidence(), d.recommendations())
            .withRuns(d.runs().stream().map(Reports::run).toList())
            .withSteps(ReportData.Step.of(c.stepRecords()))
            .withOps(ops(c.topOps(), c.steps()))
            .withSamples(samples);
    return c.pipeline() == null ? data : data.withStages(ReportData.Stage.of(c.pipeline()));
  }
}
