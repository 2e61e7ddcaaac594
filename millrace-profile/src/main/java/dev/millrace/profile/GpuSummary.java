package dev.millrace.profile;

import java.util.List;

/**
 * Per-GPU means and maxima of {@link GpuSample}s: is the accelerator kept busy, and how close is
 * its memory to full. Values no sample reported are {@code NaN} or {@code -1}.
 *
 * @param samples how many samples went in
 * @param gpus one entry per GPU index seen, by index
 */
public record GpuSummary(long samples, List<Gpu> gpus) {
  public GpuSummary {
    gpus = List.copyOf(gpus);
  }

  /**
   * @param index the GPU's index
   * @param name its product name
   * @param meanUtilisation mean utilisation, in [0, 1]
   * @param maxUtilisation highest utilisation, in [0, 1]
   * @param maxMemoryUsedMiB the most memory in use at a sample, in MiB
   * @param memoryTotalMiB memory installed, in MiB
   */
  public record Gpu(
      int index,
      String name,
      double meanUtilisation,
      double maxUtilisation,
      long maxMemoryUsedMiB,
      long memoryTotalMiB) {}
}
