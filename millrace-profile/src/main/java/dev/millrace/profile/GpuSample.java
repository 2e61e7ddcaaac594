package dev.millrace.profile;

import java.util.List;

/**
 * What {@code nvidia-smi} reported for every GPU at one instant. Times are on the {@link
 * System#nanoTime()} clock (taken when the answer arrived), so samples line up with {@link
 * StepRecord#startNanos()}.
 *
 * @param nanoTime when the reading was taken, on the {@link System#nanoTime()} clock
 * @param wallMillis the same instant in milliseconds since the epoch
 * @param gpus one reading per GPU, in {@code nvidia-smi}'s order
 */
public record GpuSample(long nanoTime, long wallMillis, List<Gpu> gpus) {
  public GpuSample {
    gpus = List.copyOf(gpus);
  }

  /**
   * One GPU. A field the driver reports as {@code [N/A]} or {@code [Not Supported]} is {@code NaN}
   * (utilisation) or {@code -1} (memory).
   *
   * @param index the GPU's index, as {@code CUDA_VISIBLE_DEVICES} and {@code nvidia-smi -i} take it
   * @param name the product name
   * @param utilisation the share of the last sample period in which a kernel ran, in [0, 1]
   * @param memoryUsedMiB device memory in use, in MiB
   * @param memoryTotalMiB device memory installed, in MiB
   */
  public record Gpu(
      int index, String name, double utilisation, long memoryUsedMiB, long memoryTotalMiB) {}
}
