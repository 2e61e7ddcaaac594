package dev.millrace.profile;

import dev.millrace.data.PipelineStats;
import dev.millrace.data.StageStats;
import dev.millrace.profile.ReportData.Verdict;
import dev.millrace.records.Compression;
import dev.millrace.tensor.DataFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The performance guide's method as rules over the doctor's four measurements: (a) the input
 * pipeline alone, (b) the model alone on an in-memory batch, (c) the whole job and (d) the job with
 * the linear model.
 *
 * <ul>
 *   <li><b>input-bound</b> when the whole job waits for input at least {@value #INPUT_BOUND_WAIT}
 *       of its step time, or the pipeline alone delivers fewer batches per second than the model
 *       alone consumes, or the simplest model hardly runs faster than the job ({@code d < }{@value
 *       #SIMPLIFICATION_GAIN}{@code × c}) while the job waits at all ({@code >} {@value
 *       #COMPUTE_BOUND_WAIT}): "if the step rate does not improve, the bottleneck is the input";
 *   <li><b>compute-bound</b> when the job waits less than {@value #COMPUTE_BOUND_WAIT} of its time
 *       and the pipeline alone has at least {@value #HEADROOM}× the model's rate in hand;
 *   <li><b>balanced</b> otherwise: the two are close, and on a CPU they share the same cores.
 * </ul>
 */
public final class DiagnosisRules {
  /** The pipeline's own threshold, so the verdict and the stage table never disagree. */
  static final double INPUT_BOUND_WAIT = PipelineStats.INPUT_BOUND_WAIT;

  static final double COMPUTE_BOUND_WAIT = 0.05;
  static final double HEADROOM = 1.3;
  static final double SIMPLIFICATION_GAIN = 1.25;

  private DiagnosisRules() {}

  /** The verdict, evidence and recommendations for the measured runs of a job. */
  public static Diagnosis diagnose(
      ProbeRun a, ProbeRun b, ProbeRun c, ProbeRun d, Optional<ProbeRun> other, JobFacts facts) {
    double headroom = a.stepsPerSecond() / Math.max(1e-9, b.stepsPerSecond());
    double simplification = d.stepsPerSecond() / Math.max(1e-9, c.stepsPerSecond());
    double wait = c.inputWaitShare();
    Verdict verdict;
    if (wait >= INPUT_BOUND_WAIT
        || headroom < 1.0
        || (simplification < SIMPLIFICATION_GAIN && wait > COMPUTE_BOUND_WAIT)) {
      verdict = Verdict.INPUT_BOUND;
    } else if (wait < COMPUTE_BOUND_WAIT && headroom >= HEADROOM) {
      verdict = Verdict.COMPUTE_BOUND;
    } else {
      verdict = Verdict.BALANCED;
    }
    List<String> evidence = evidence(a, b, c, d, headroom, simplification);
    List<String> recommendations = new ArrayList<>();
    if (verdict != Verdict.COMPUTE_BOUND) {
      inputAdvice(a, facts, recommendations);
    }
    if (verdict != Verdict.INPUT_BOUND) {
      computeAdvice(b, c, other, facts, headroom, recommendations, evidence);
    }
    if (recommendations.isEmpty()) {
      recommendations.add("nothing to change that these measurements point to");
    }
    return new Diagnosis(verdict, a, b, c, d, other, evidence, recommendations);
  }

  private static List<String> evidence(
      ProbeRun a, ProbeRun b, ProbeRun c, ProbeRun d, double headroom, double simplification) {
    List<String> e = new ArrayList<>();
    e.add(
        f(
            "(a) input pipeline alone: %.1f steps/s (%,.0f images/s)%s",
            a.stepsPerSecond(), a.imagesPerSecond(), slowestStage(a.pipeline())));
    e.add(
        f(
            "(b) model alone on an in-memory batch: %.1f steps/s (%,.0f images/s), the compute"
                + " ceiling; the pipeline alone is %.2f× that",
            b.stepsPerSecond(), b.imagesPerSecond(), headroom));
    e.add(
        f(
            "(c) full job: %.1f steps/s (%,.0f images/s), waiting for input %.1f%% of the step time,"
                + " median step %.1f ms%s",
            c.stepsPerSecond(),
            c.imagesPerSecond(),
            100 * c.inputWaitShare(),
            c.medianStepMillis(),
            cpu(c)));
    e.add(
        f(
            "(d) linear model on the same pipeline: %.1f steps/s, %.2f× the full job%s",
            d.stepsPerSecond(),
            simplification,
            simplification < SIMPLIFICATION_GAIN
                ? ": simplifying the model hardly helps, so the input is the limit"
                : ": simplifying the model speeds the job up, so the pipeline could go faster"));
    if (!c.topOps().isEmpty()) {
      StringBuilder ops = new StringBuilder("compute per step goes to");
      for (OpTime t : c.topOps().subList(0, Math.min(4, c.topOps().size()))) {
        ops.append(f(" %s %.1f ms (%.0f%%),", t.type(), t.nanosPerStep() / 1e6, 100 * t.share()));
      }
      ops.setLength(ops.length() - 1);
      e.add(ops.toString());
    }
    return e;
  }

  private static String cpu(ProbeRun r) {
    return Double.isNaN(r.processCpuCores())
        ? ""
        : f(", %.2f cores busy in this process", r.processCpuCores());
  }

  private static String slowestStage(PipelineStats p) {
    if (p == null || p.bottleneck() == null) {
      return "";
    }
    StageStats s = p.bottleneck();
    return f(
        "; busiest stage %s (%s) %.1f µs per element on %d thread%s",
        s.name(),
        s.kind(),
        s.nanosPerElement() / 1e3,
        s.parallelism(),
        s.parallelism() == 1 ? "" : "s");
  }

  private static void inputAdvice(ProbeRun a, JobFacts facts, List<String> out) {
    if (facts.inputThreads() > 0 && facts.inputThreads() < facts.cores()) {
      out.add(
          f(
              "set --input-threads %d (now %d) or leave it at 0 to autotune: decoding runs on too"
                  + " few threads",
              facts.cores(), facts.inputThreads()));
    }
    if (facts.prefetch() == 0) {
      out.add("add prefetch: --prefetch -1 (autotuned), so batches are prepared during the step");
    }
    if (facts.shards() > 64 && facts.meanShardBytes() < 8L << 20) {
      out.add(
          f(
              "convert the small files to shards: %d files of %.1f MiB on average; rewrite them as"
                  + " ~100 MiB shards (millrace convert --shard-size 100MiB)",
              facts.shards(), facts.meanShardBytes() / 1048576.0));
    }
    if (facts.compression() != Compression.NONE) {
      out.add(
          "write uncompressed shards (millrace convert --compression none): inflating "
              + facts.compression()
              + " shards costs CPU on every epoch");
    }
    if (facts.encodedImages()) {
      out.add(
          "store raw pixels instead of JPEG/PNG: decoding each image every epoch is the costliest"
              + " step of the pipeline (convert to raw uint8 images once)");
    }
    if (facts.augment()) {
      out.add(
          "--augment adds a crop and a flip per image in the decode stage: keep it if accuracy"
              + " needs it, but it is part of the input cost");
    }
    if (out.isEmpty()) {
      out.add(
          f(
              "the pipeline already uses every setting that helps (autotuned threads and prefetch):"
                  + " feed larger steps (--batch %d) so the per-step cost of the input is spread"
                  + " over more images",
              facts.batch() * 2));
    }
  }

  private static void computeAdvice(
      ProbeRun b,
      ProbeRun c,
      Optional<ProbeRun> other,
      JobFacts facts,
      double headroom,
      List<String> out,
      List<String> evidence) {
    if (other.isPresent()) {
      ProbeRun o = other.get();
      double gain = o.stepsPerSecond() / Math.max(1e-9, b.stepsPerSecond());
      DataFormat otherFormat =
          facts.format() == DataFormat.NHWC ? DataFormat.NCHW : DataFormat.NHWC;
      evidence.add(
          f(
              "the model alone runs %.1f steps/s in %s, %.2f× its rate in %s",
              o.stepsPerSecond(), otherFormat, gain, facts.format()));
      if (gain > 1.1) {
        out.add(
            f(
                "use --format %s on this CPU: the model alone ran %.2f× faster in it",
                otherFormat, gain));
      }
    }
    if (facts.intraOpThreads() < facts.cores()) {
      out.add(
          f(
              "set --intra-op-threads %d (now %d): the kernels split their work over too few threads",
              facts.cores(), facts.intraOpThreads()));
    }
    if (c.medianStepMillis() < 5) {
      out.add(
          f(
              "raise --batch to %d: steps of %.1f ms pay fixed per-step costs",
              facts.batch() * 2, c.medianStepMillis()));
    }
    if (!facts.augment() && headroom >= 2) {
      out.add(
          f(
              "the input pipeline has %.1f× the model's rate in hand: --augment would cost no"
                  + " training speed",
              headroom));
    }
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
