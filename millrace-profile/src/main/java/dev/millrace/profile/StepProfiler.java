package dev.millrace.profile;

import dev.millrace.graph.RunStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each step's time goes: waiting for input versus computing, and, inside the session, which
 * op types take the compute time. Memory stays bounded whatever the run's length: step times live
 * in a fixed ring, the input-wait window is a fixed ring, and op times are aggregated per op type
 * (at most {@link #MAX_OP_TYPES}) from a sample of steps — every {@code opSampleEvery}-th step
 * after the warm-up, whose first steps JIT compilation distorts.
 *
 * <p>The live warning follows the performance guide's rule of thumb: when the input-wait share of
 * the last {@code window} steps stays above {@code warnShare}, the job is waiting for its input and
 * the user should hear it while the job runs, not after. It is said once, and again only after the
 * share fell below half the threshold in between and ten windows have passed, so a job hovering
 * around the threshold does not repeat it every few steps.
 *
 * <p>Not thread-safe: the training loop calls it from its one thread.
 */
public final class StepProfiler {
  /** Op types tracked at most (a model has a few dozen). */
  public static final int MAX_OP_TYPES = 1024;

  private final int warmupSteps;
  private final int opSampleEvery;
  private final double warnShare;
  private final long[] windowWait;
  private final long[] windowTotal;
  private final long[] stepRing;
  private final Map<String, long[]> ops = new HashMap<>();
  private long steps;
  private long examples;
  private long waitNanos;
  private long computeNanos;
  private long sampledSteps;
  private long sampledOpNanos;
  private long windowWaitSum;
  private long windowTotalSum;
  private boolean warned;
  private long lastWarning = Long.MIN_VALUE / 2;

  /**
   * @param warmupSteps steps left out of the op sample and the live warning
   * @param opSampleEvery sample the ops of every this many steps (1: all)
   * @param window steps the live input-wait share is measured over
   * @param warnShare input-wait share above which the live warning is given
   */
  public StepProfiler(int warmupSteps, int opSampleEvery, int window, double warnShare) {
    if (warmupSteps < 0 || opSampleEvery < 1 || window < 1 || !(warnShare > 0 && warnShare < 1)) {
      throw new IllegalArgumentException(
          String.format(
              "warm-up %d >= 0, op sample interval %d >= 1, window %d >= 1, warning share %s in"
                  + " (0, 1)",
              warmupSteps, opSampleEvery, window, warnShare));
    }
    this.warmupSteps = warmupSteps;
    this.opSampleEvery = opSampleEvery;
    this.warnShare = warnShare;
    this.windowWait = new long[window];
    this.windowTotal = new long[window];
    this.stepRing = new long[65_536];
  }

  /**
   * The defaults of {@code millrace train}: 5 warm-up steps, every 10th sampled, 50-step window.
   */
  public static StepProfiler defaults() {
    return new StepProfiler(5, 10, 50, DiagnosisRules.INPUT_BOUND_WAIT);
  }

  /**
   * Records one step; returns a warning to show the user now, if the input-wait share of the recent
   * window just crossed the threshold.
   *
   * @param stats the session run's statistics, or null when none were collected
   */
  public Optional<String> record(StepRecord step, RunStats stats) {
    long index = steps++;
    examples += step.examples();
    waitNanos += step.waitNanos();
    computeNanos += step.computeNanos();
    stepRing[(int) (index % stepRing.length)] = step.totalNanos();
    if (index < warmupSteps) {
      return Optional.empty();
    }
    long counted = index - warmupSteps;
    if (stats != null && counted % opSampleEvery == 0) {
      sample(stats);
    }
    int slot = (int) (counted % windowWait.length);
    windowWaitSum += step.waitNanos() - windowWait[slot];
    windowTotalSum += step.totalNanos() - windowTotal[slot];
    windowWait[slot] = step.waitNanos();
    windowTotal[slot] = step.totalNanos();
    if (counted + 1 < windowWait.length) {
      return Optional.empty();
    }
    double share = recentInputWaitShare();
    if (share > warnShare && !warned && counted - lastWarning >= 10L * windowWait.length) {
      warned = true;
      lastWarning = counted;
      return Optional.of(
          String.format(
              java.util.Locale.ROOT,
              "warning: the last %d steps waited for input %.0f%% of the time: the input"
                  + " pipeline is holding the job back (run 'millrace doctor' with the same options"
                  + " for what to change)",
              windowWait.length,
              100 * share));
    }
    if (share < warnShare / 2) {
      warned = false;
    }
    return Optional.empty();
  }

  private void sample(RunStats stats) {
    sampledSteps++;
    for (RunStats.OpStat op : stats.ops()) {
      long[] t = ops.get(op.type());
      if (t == null) {
        if (ops.size() >= MAX_OP_TYPES) {
          continue;
        }
        t = new long[2];
        ops.put(op.type(), t);
      }
      t[0]++;
      t[1] += op.durationNanos();
      sampledOpNanos += op.durationNanos();
    }
  }

  public long steps() {
    return steps;
  }

  public long examples() {
    return examples;
  }

  /** The share of all recorded step time spent waiting for input. */
  public double inputWaitShare() {
    long total = waitNanos + computeNanos;
    return total == 0 ? 0 : (double) waitNanos / total;
  }

  /** The input-wait share of the last {@code window} steps after the warm-up. */
  public double recentInputWaitShare() {
    return windowTotalSum == 0 ? 0 : (double) windowWaitSum / windowTotalSum;
  }

  /** Examples per second of recorded step time. */
  public double examplesPerSecond() {
    long total = waitNanos + computeNanos;
    return total == 0 ? 0 : examples / (total / 1e9);
  }

  /** Steps per second of recorded step time. */
  public double stepsPerSecond() {
    long total = waitNanos + computeNanos;
    return total == 0 ? 0 : steps / (total / 1e9);
  }

  public long waitNanos() {
    return waitNanos;
  }

  public long computeNanos() {
    return computeNanos;
  }

  /** The median step (wait + compute) of the last 65,536 steps, in milliseconds. */
  public double medianStepMillis() {
    int n = (int) Math.min(steps, stepRing.length);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(stepRing, n);
    Arrays.sort(sorted);
    return (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0) / 1e6;
  }

  /** The op types by time, most first (at most {@code limit}). */
  public List<OpTime> topOps(int limit) {
    List<OpTime> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : ops.entrySet()) {
      long[] t = e.getValue();
      out.add(
          new OpTime(
              e.getKey(),
              t[0],
              t[1],
              sampledOpNanos == 0 ? 0 : (double) t[1] / sampledOpNanos,
              sampledSteps == 0 ? 0 : (double) t[1] / sampledSteps));
    }
    out.sort(Comparator.comparingLong(OpTime::nanos).reversed().thenComparing(OpTime::type));
    return out.subList(0, Math.min(limit, out.size()));
  }

  /** Steps whose ops were sampled. */
  public long sampledSteps() {
    return sampledSteps;
  }
}
