package dev.millrace.profile;

import dev.millrace.data.PipelineStats;
import dev.millrace.data.StageStats;
import dev.millrace.profile.internal.report.HostProbe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything one HTML report shows, as plain values: who ran what where, the verdict, the tables
 * and the series behind the charts. Build one with {@link #of} and the {@code with...} methods;
 * every list is copied, so a report never changes after it is made.
 *
 * <p>Units are in the names: {@code ...Ms} milliseconds, {@code ...Percent} percentages from 0 to
 * 100, {@code ...Share}, {@code utilisation} and accuracies fractions in [0, 1].
 *
 * @param title the page's heading, such as {@code millrace doctor: cifar10}
 * @param commandLine the command that produced the report, shown verbatim
 * @param host the machine the job ran on
 * @param generatedAt when the report was made
 * @param verdict where the time went; empty for a plain training report
 * @param evidence the measurements behind the verdict, one sentence each
 * @param recommendations what to change, most useful first
 * @param runs the runs compared (the doctor's four, or the one training run)
 * @param steps per-step timings in step order (the page shows at most {@code 2,000} points)
 * @param samples utilisation sampled about once a second, in time order
 * @param stages the input pipeline's stages in data-flow order
 * @param ops session time per op type
 * @param epochs per-epoch results of a training run; empty for the doctor
 */
public record ReportData(
    String title,
    String commandLine,
    Host host,
    Instant generatedAt,
    Optional<Verdict> verdict,
    List<String> evidence,
    List<String> recommendations,
    List<Run> runs,
    List<Step> steps,
    List<Sample> samples,
    List<Stage> stages,
    List<Op> ops,
    List<Epoch> epochs) {

  public ReportData {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(commandLine, "commandLine");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(verdict, "verdict");
    evidence = List.copyOf(evidence);
    recommendations = List.copyOf(recommendations);
    runs = List.copyOf(runs);
    steps = List.copyOf(steps);
    samples = List.copyOf(samples);
    stages = List.copyOf(stages);
    ops = List.copyOf(ops);
    epochs = List.copyOf(epochs);
  }

  /** A report with a heading and nothing measured yet. */
  public static ReportData of(String title, String commandLine, Host host, Instant generatedAt) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** This report with a verdict and the evidence and recommendations that go with it. */
  public ReportData withDiagnosis(
      Verdict verdict, List<String> evidence, List<String> recommendations) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        Optional.of(verdict),
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  /** This report with recommendations but no verdict, as a training run gives. */
  public ReportData withRecommendations(List<String> recommendations) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withRuns(List<Run> runs) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withSteps(List<Step> steps) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withSamples(List<Sample> samples) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withStages(List<Stage> stages) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withOps(List<Op> ops) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  public ReportData withEpochs(List<Epoch> epochs) {
    return new ReportData(
        title,
        commandLine,
        host,
        generatedAt,
        verdict,
        evidence,
        recommendations,
        runs,
        steps,
        samples,
        stages,
        ops,
        epochs);
  }

  /** True when at least one sample carries a GPU measurement: only then is there a GPU chart. */
  public boolean hasGpu() {
    return samples.stream()
        .anyMatch(s -> s.gpuUtilisationPercent().isPresent() || s.gpuMemoryMb().isPresent());
  }

  /** Where a training job's time goes. */
  public enum Verdict {
    INPUT_BOUND(
        "input-bound",
        "Steps wait for the input pipeline: a faster pipeline would make training faster."),
    COMPUTE_BOUND(
        "compute-bound", "The input pipeline keeps up: the time goes into computing the steps."),
    BALANCED(
        "balanced",
        "Input and compute take similar time: speeding up only one of them gains little.");

    private final String text;
    private final String meaning;

    Verdict(String text, String meaning) {
      this.text = text;
      this.meaning = meaning;
    }

    /** The words the report shows, such as {@code input-bound}. */
    public String text() {
      return text;
    }

    /** One sentence saying what the verdict means for the job. */
    public String meaning() {
      return meaning;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * The machine a job ran on.
   *
   * @param cpuModel the processor, as the operating system names it
   * @param cores logical processors available to the JVM
   * @param details anything else worth a line: operating system, memory, JDK
   */
  public record Host(String cpuModel, int cores, String details) {
    public Host {
      Objects.requireNonNull(cpuModel, "cpuModel");
      Objects.requireNonNull(details, "details");
      if (cores < 0) {
        throw new IllegalArgumentException("cores " + cores + " is negative");
      }
    }

    /** This machine: the CPU model from {@code /proc/cpuinfo} where there is one. */
    public static Host current() {
      return HostProbe.current();
    }
  }

  /**
   * One run of a comparison, a row of the runs table.
   *
   * @param name a short name, such as {@code input only}
   * @param description what the run did differently
   * @param stepsPerSecond steps completed per second of wall time
   * @param imagesPerSecond examples per second of wall time
   * @param inputWaitShare the share of wall time spent waiting for input
   * @param medianStepMs the median step's wall time
   */
  public record Run(
      String name,
      String description,
      double stepsPerSecond,
      double imagesPerSecond,
      double inputWaitShare,
      double medianStepMs) {
    public Run {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
    }
  }

  /**
   * One step's time, split into waiting for input and computing.
   *
   * @param step the global step number
   * @param waitMs time blocked waiting for the step's batch
   * @param computeMs time in the session run
   */
  public record Step(long step, double waitMs, double computeMs) {
    /** The report's view of a profiler record. */
    public static Step of(StepRecord r) {
      return new Step(r.step(), r.waitNanos() / 1e6, r.computeNanos() / 1e6);
    }

    /** The report's view of profiler records, in their order. */
    public static List<Step> of(List<StepRecord> records) {
      List<Step> steps = new ArrayList<>(records.size());
      for (StepRecord r : records) {
        steps.add(of(r));
      }
      return steps;
    }
  }

  /**
   * Utilisation at one moment.
   *
   * @param seconds time since the job started
   * @param imagesPerSecond examples consumed per second over the last interval
   * @param processCpuPercent this process's CPU use as a share of all cores (100 = every core busy
   *     for this process), as {@code OperatingSystemMXBean.getProcessCpuLoad()} gives it, so that
   *     it shares an axis with the machine's
   * @param machineCpuPercent the whole machine's CPU use (100 = every core busy)
   * @param diskReadMbPerSecond bytes read from disk per second, in MB (10^6 bytes)
   * @param gpuUtilisationPercent the GPU's utilisation, where there is a GPU
   * @param gpuMemoryMb GPU memory in use, in MB, where there is a GPU
   */
  public record Sample(
      double seconds,
      double imagesPerSecond,
      double processCpuPercent,
      double machineCpuPercent,
      double diskReadMbPerSecond,
      OptionalDouble gpuUtilisationPercent,
      OptionalDouble gpuMemoryMb) {
    public Sample {
      Objects.requireNonNull(gpuUtilisationPercent, "gpuUtilisationPercent");
      Objects.requireNonNull(gpuMemoryMb, "gpuMemoryMb");
    }

    /** A sample from a machine without a GPU. */
    public Sample(
        double seconds,
        double imagesPerSecond,
        double processCpuPercent,
        double machineCpuPercent,
        double diskReadMbPerSecond) {
      this(
          seconds,
          imagesPerSecond,
          processCpuPercent,
          machineCpuPercent,
          diskReadMbPerSecond,
          OptionalDouble.empty(),
          OptionalDouble.empty());
    }
  }

  /**
   * One stage of the input pipeline, a row of the pipeline table.
   *
   * @param name the stage's name, such as {@code map#2}
   * @param kind the transformation, such as {@code map}
   * @param elements elements produced
   * @param busyNanosPerElement the stage's own work per element produced
   * @param utilisation the share of its threads' time the stage was busy
   * @param parallelism worker threads in use
   * @param inputWaitMs time spent waiting for or computing inputs
   * @param outputWaitMs time blocked on a full output buffer
   * @param bufferedBytes bytes buffered when the statistics were taken
   * @param peakBufferedBytes the most bytes ever buffered at once
   * @param bottleneck whether this is the stage to speed up
   */
  public record Stage(
      String name,
      String kind,
      long elements,
      double busyNanosPerElement,
      double utilisation,
      int parallelism,
      double inputWaitMs,
      double outputWaitMs,
      long bufferedBytes,
      long peakBufferedBytes,
      boolean bottleneck) {
    public Stage {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
    }

    /**
     * The stages of a pipeline snapshot, its {@link PipelineStats#bottleneck() bottleneck} marked
     * when the pipeline was the limit ({@link PipelineStats#inputBound()}): when it kept up, its
     * busiest stage is not what holds the job back, and marking it would send the user after the
     * wrong thing.
     */
    public static List<Stage> of(PipelineStats stats) {
      StageStats bottleneck = stats.inputBound() ? stats.bottleneck() : null;
      List<Stage> stages = new ArrayList<>(stats.stages().size());
      for (StageStats s : stats.stages()) {
        stages.add(
            new Stage(
                s.name(),
                s.kind(),
                s.elements(),
                s.nanosPerElement(),
                s.utilisation(stats.wallNanos()),
                s.parallelism(),
                s.inputWaitNanos() / 1e6,
                s.outputWaitNanos() / 1e6,
                s.bufferedBytes(),
                s.peakBufferedBytes(),
                s == bottleneck));
      }
      return stages;
    }
  }

  /**
   * Session time spent in one op type.
   *
   * @param type the op type, such as {@code Conv2D}
   * @param totalMs kernel time summed over every call
   * @param computeShare the share of all session compute time
   * @param calls how many times the op ran
   */
  public record Op(String type, double totalMs, double computeShare, long calls) {
    public Op {
      Objects.requireNonNull(type, "type");
    }
  }

  /**
   * One epoch of training.
   *
   * @param epoch the epoch number, from 1
   * @param trainLoss the mean training loss
   * @param trainAccuracy the training accuracy
   * @param testAccuracy the accuracy on held-out data, where it was measured
   * @param imagesPerSecond training examples per second
   * @param seconds the epoch's wall time
   */
  public record Epoch(
      int epoch,
      double trainLoss,
      double trainAccuracy,
      OptionalDouble testAccuracy,
      double imagesPerSecond,
      double seconds) {
    public Epoch {
      Objects.requireNonNull(testAccuracy, "testAccuracy");
    }
  }
}
