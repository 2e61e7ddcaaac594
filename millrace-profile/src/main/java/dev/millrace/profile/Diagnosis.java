package dev.millrace.profile;

import dev.millrace.profile.ReportData.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * The doctor's finding: the verdict, the evidence for it (the numbers, in sentences) and what to
 * change, each recommendation naming the setting and its value.
 *
 * @param verdict input-bound, compute-bound or balanced
 * @param inputPipeline run (a), the input pipeline alone
 * @param modelAlone run (b), the model alone on an in-memory batch
 * @param fullJob run (c), the whole job
 * @param linear run (d), the job with the linear model
 * @param otherFormat run (b) in the other data format, if it was measured
 * @param evidence the numbers behind the verdict
 * @param recommendations what to change
 */
public record Diagnosis(
    Verdict verdict,
    ProbeRun inputPipeline,
    ProbeRun modelAlone,
    ProbeRun fullJob,
    ProbeRun linear,
    Optional<ProbeRun> otherFormat,
    List<String> evidence,
    List<String> recommendations) {
  public Diagnosis {
    evidence = List.copyOf(evidence);
    recommendations = List.copyOf(recommendations);
  }

  /** The runs in the guide's order a–d, then the other format's if measured. */
  public List<ProbeRun> runs() {
    List<ProbeRun> runs =
        new java.util.ArrayList<>(List.of(inputPipeline, modelAlone, fullJob, linear));
    otherFormat.ifPresent(runs::add);
    return runs;
  }
}
