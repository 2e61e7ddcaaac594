package dev.millrace.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The report's once-a-second rows, joined from the utilisation sampler, the GPU sampler (when there
 * is one) and the steps: each row's images/s counts the examples of the steps that began in its
 * interval.
 */
public final class ReportSamples {
  private ReportSamples() {}

  /**
   * @param startNanos the run's start, on the {@link System#nanoTime()} clock (row times are
   *     seconds since then)
   */
  public static List<ReportData.Sample> of(
      List<UtilisationSample> utilisation,
      List<GpuSample> gpu,
      List<StepRecord> steps,
      long startNanos) {
    List<ReportData.Sample> out = new ArrayList<>();
    int s = 0;
    int g = 0;
    for (UtilisationSample u : utilisation) {
      long from = u.startNanos();
      long to = u.nanoTime();
      while (s < steps.size() && steps.get(s).startNanos() < from) {
        s++;
      }
      long examples = 0;
      while (s < steps.size() && steps.get(s).startNanos() < to) {
        examples += steps.get(s).examples();
        s++;
      }
      while (g + 1 < gpu.size() && gpu.get(g + 1).nanoTime() <= to) {
        g++;
      }
      OptionalDouble gpuUse = OptionalDouble.empty();
      OptionalDouble gpuMemory = OptionalDouble.empty();
      if (!gpu.isEmpty() && !gpu.get(g).gpus().isEmpty()) {
        GpuSample.Gpu first = gpu.get(g).gpus().getFirst();
        if (!Double.isNaN(first.utilisation())) {
          gpuUse = OptionalDouble.of(100 * first.utilisation());
        }
        if (first.memoryUsedMiB() >= 0) {
          gpuMemory = OptionalDouble.of(first.memoryUsedMiB());
        }
      }
      out.add(
          new ReportData.Sample(
              (to - startNanos) / 1e9,
              examples / (u.intervalNanos() / 1e9),
              percent(u.processCpu()),
              percent(u.machineCpu()),
              u.diskReadBytes() < 0 ? 0 : u.diskReadBytesPerSecond() / 1e6,
              gpuUse,
              gpuMemory));
    }
    return out;
  }

  private static double percent(double share) {
    return Double.isNaN(share) ? 0 : 100 * share;
  }
}
