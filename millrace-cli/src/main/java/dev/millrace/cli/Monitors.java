package dev.millrace.cli;

import dev.millrace.profile.GpuSampler;
import dev.millrace.profile.ReportData;
import dev.millrace.profile.ReportSamples;
import dev.millrace.profile.StepRecord;
import dev.millrace.profile.UtilisationSampler;
import java.util.List;

/**
 * The samplers a diagnosed run keeps going: CPU and disk from /proc every second, and the GPU when
 * {@code nvidia-smi} is on the PATH (the guide's {@code watch nvidia-smi}, done for the user).
 */
final class Monitors implements AutoCloseable {
  private final long startNanos = System.nanoTime();
  private final UtilisationSampler utilisation = UtilisationSampler.start();
  private final GpuSampler gpu = GpuSampler.findNvidiaSmi().isPresent() ? GpuSampler.start() : null;

  UtilisationSampler utilisation() {
    return utilisation;
  }

  GpuSampler gpu() {
    return gpu;
  }

  /** The report's rows so far. */
  List<ReportData.Sample> samples(List<StepRecord> steps) {
    return ReportSamples.of(
        utilisation.samples(), gpu == null ? List.of() : gpu.samples(), steps, startNanos);
  }

  @Override
  public void close() {
    utilisation.close();
    if (gpu != null) {
      gpu.close();
    }
  }
}
