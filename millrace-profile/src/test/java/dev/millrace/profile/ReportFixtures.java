package dev.millrace.profile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Reports that look like real ones: a doctor's diagnosis of a CIFAR-10 training job on a 16-core
 * machine, with step times that wait on a slow augmentation stage, and a plain training report.
 */
final class ReportFixtures {
  /** A stage name that would end the page's script and open a tag if it were not escaped. */
  static final String HOSTILE_NAME = "</script><b>x";

  private static final Instant WHEN = Instant.parse("2025-03-14T09:26:53Z");

  private ReportFixtures() {}

  /** The doctor's report: four runs, {@code steps} step timings, {@code samples} samples. */
  static ReportData doctor(int steps, int samples, boolean gpu, long seed) {
    Random random = new Random(seed);
    return ReportData.of(
            "millrace doctor: resnet20 on cifar10",
            "millrace doctor --data /data/cifar10 --model resnet20 --batch 128 --report out/doctor",
            new ReportData.Host(
                "AMD EPYC 7B13 64-Core Processor", 16, "Linux 6.1.0 (amd64), Java 25"),
            WHEN)
        .withDiagnosis(
            ReportData.Verdict.INPUT_BOUND,
            List.of(
                "Steps waited for input 41% of the time (median wait 6.2 ms of a 15.1 ms step).",
                "The input pipeline alone delivers 8,460 images/s; compute alone runs 14,300 images/s.",
                "map#4 (augment) is busy 97% of its 4 threads; no other stage is above 60%."),
            List.of(
                "Give map#4 more threads: pass Parallelism.AUTOTUNE or at least 8 to its map.",
                "Cache the decoded images before augmentation (.cache() after map#2): decode is"
                    + " 31% of the pipeline's work and repeats every epoch.",
                "Raise prefetch to 4 batches to absorb the wait spikes at shard boundaries."))
        .withRuns(runs())
        .withSteps(steps(steps, 1, random))
        .withSamples(samples(samples, gpu, random))
        .withStages(stages())
        .withOps(ops());
  }

  /** A training report: one run, epochs, no verdict. */
  static ReportData training(int steps, int samples, long seed) {
    Random random = new Random(seed);
    List<ReportData.Epoch> epochs = new ArrayList<>();
    double loss = 1.9;
    for (int e = 1; e <= 5; e++) {
      loss *= 0.72;
      epochs.add(
          new ReportData.Epoch(
              e,
              loss,
              0.42 + 0.09 * e,
              e % 2 == 0 ? OptionalDouble.of(0.40 + 0.085 * e) : OptionalDouble.empty(),
              8_300 + 40 * e,
              6.1 - 0.05 * e));
    }
    return ReportData.of(
            "millrace train: mnist-cnn",
            "millrace train --model mnist-cnn --epochs 5 --report out/train",
            new ReportData.Host("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 8, ""),
            WHEN)
        .withRecommendations(List.of("Steps waited for input 3% of the time: nothing to do."))
        .withRuns(
            List.of(new ReportData.Run("train", "5 epochs, batch 64", 130.2, 8_332, 0.03, 7.6)))
        .withSteps(steps(steps, 0.05, random))
        .withSamples(samples(samples, false, random))
        .withStages(stages())
        .withOps(ops())
        .withEpochs(epochs);
  }

  /** The doctor's report with text that must be escaped everywhere text appears. */
  static ReportData hostile(int steps, int samples, boolean gpu) {
    ReportData d = doctor(steps, samples, gpu, 7);
    List<ReportData.Stage> stages = new ArrayList<>(d.stages());
    stages.add(
        1, new ReportData.Stage(HOSTILE_NAME, "map<&\"'>", 10, 5, 0.1, 1, 1, 1, 0, 0, false));
    return new ReportData(
        "Report <i>&amp;</i> \"quoted\" {{json}}",
        "millrace doctor --filter 'a < b && c > d' \"</script>\" --x=<!--",
        d.host(),
        d.generatedAt(),
        d.verdict(),
        List.of("</li><script>alert(1)</script>"),
        d.recommendations(),
        d.runs(),
        d.steps(),
        d.samples(),
        stages,
        List.of(new ReportData.Op("</script><img src=x onerror=alert(1)>", 10, 0.5, 3)),
        d.epochs());
  }

  private static List<ReportData.Run> runs() {
    return List.of(
        new ReportData.Run("full", "the training job as configured", 66.1, 8_461, 0.41, 15.1),
        new ReportData.Run("input only", "the input pipeline, no model", 66.3, 8_486, 0.99, 15.0),
        new ReportData.Run(
            "compute only", "one cached batch, no input pipeline", 111.7, 14_298, 0.0, 8.9),
        new ReportData.Run(
            "full, 2× input threads",
            "the job with map threads doubled",
            104.9,
            13_427,
            0.06,
            9.5));
  }

  /**
   * Step times; {@code waitScale} 1 for a job that waits on its input, near 0 for one that does
   * not.
   */
  private static List<ReportData.Step> steps(int n, double waitScale, Random random) {
    List<ReportData.Step> steps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      // waits spike where a new shard is opened (every 390 steps) and the shuffle buffer refills
      double spike = i % 390 < 6 ? 40 * random.nextDouble() : 0;
      double wait = waitScale * Math.max(0, 6 + 2.5 * random.nextGaussian() + spike);
      double compute = Math.max(1, 8.9 + 0.6 * random.nextGaussian());
      steps.add(new ReportData.Step(i, wait, compute));
    }
    return steps;
  }

  private static List<ReportData.Sample> samples(int n, boolean gpu, Random random) {
    List<ReportData.Sample> samples = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double warm = Math.min(1, i / 5.0);
      double images = warm * (8_400 + 500 * random.nextGaussian());
      samples.add(
          new ReportData.Sample(
              i + 1,
              Math.max(0, images),
              warm * (49 + 4 * random.nextGaussian()),
              warm * (57 + 4 * random.nextGaussian()),
              Math.max(0, (i % 60 < 3 ? 180 : 38) + 6 * random.nextGaussian()),
              gpu
                  ? OptionalDouble.of(Math.clamp(45 + 8 * random.nextGaussian(), 0, 100))
                  : OptionalDouble.empty(),
              gpu
                  ? OptionalDouble.of(5_200 + 30 * random.nextGaussian())
                  : OptionalDouble.empty()));
    }
    return samples;
  }

  private static List<ReportData.Stage> stages() {
    return List.of(
        new ReportData.Stage(
            "tfRecords#0", "tfRecords", 1_000_000, 310, 0.08, 1, 120, 4_100, 0, 0, false),
        new ReportData.Stage(
            "interleave#1",
            "interleave",
            1_000_000,
            150,
            0.21,
            4,
            410,
            3_300,
            3_145_728,
            6_291_456,
            false),
        new ReportData.Stage(
            "map#2", "map", 1_000_000, 5_400, 0.58, 4, 2_900, 1_200, 1_572_864, 3_145_728, false),
        new ReportData.Stage(
            "shuffle#3",
            "shuffle",
            1_000_000,
            90,
            0.02,
            1,
            9_800,
            0,
            31_457_280,
            31_457_280,
            false),
        new ReportData.Stage(
            "map#4", "map", 1_000_000, 13_900, 0.97, 4, 310, 12, 786_432, 1_572_864, true),
        new ReportData.Stage("batch#5", "batch", 7_812, 52_000, 0.05, 1, 95_000, 0, 0, 0, false),
        new ReportData.Stage(
            "prefetch#6",
            "prefetch",
            7_812,
            800,
            0.01,
            1,
            98_000,
            120,
            3_145_728,
            6_291_456,
            false));
  }

  private static List<ReportData.Op> ops() {
    return List.of(
        new ReportData.Op("Conv2DBackpropFilter", 24_310, 0.262, 148_500),
        new ReportData.Op("Conv2D", 21_870, 0.236, 148_500),
        new ReportData.Op("Conv2DBackpropInput", 19_650, 0.212, 140_400),
        new ReportData.Op("FusedBatchNormV3", 8_020, 0.087, 148_500),
        new ReportData.Op("FusedBatchNormGradV3", 7_410, 0.080, 148_500),
        new ReportData.Op("Relu", 3_180, 0.034, 148_500),
        new ReportData.Op("ReluGrad", 2_960, 0.032, 148_500),
        new ReportData.Op("AddV2", 1_940, 0.021, 64_800),
        new ReportData.Op("ApplyAdam", 1_320, 0.014, 437_400),
        new ReportData.Op("MatMul", 410, 0.004, 16_200));
  }
}
