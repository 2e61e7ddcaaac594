package dev.millrace.kernels;

import dev.millrace.kernels.internal.simd.SimdProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The float32 FMA peak of this machine, derived as {@code clock × FMA units × lanes × 2 FLOP ×
 * cores}: the clock from {@code /proc/cpuinfo} ("cpu MHz", the highest over the processors), 2 FMA
 * units per core and 8 float lanes per AVX2 instruction (both Zen 3 and recent Intel cores), 2 FLOP
 * per fused multiply-add. {@link #measureFmaGflops} measures what a register-only FMA loop reaches,
 * a check of the derivation (boost clocks exceed it; a loaded machine falls short of it).
 *
 * @param ghz the clock used
 * @param clockSource where the clock came from
 * @param cores cores counted
 * @param gflops the derived peak
 */
public record CpuPeak(double ghz, String clockSource, int cores, double gflops) {
  /** FMA pipes per core. */
  public static final int FMA_UNITS = 2;

  /** float32 lanes per 256-bit AVX2 vector. */
  public static final int LANES = 8;

  /**
   * The peak of {@code cores} cores at the clock {@code /proc/cpuinfo} reports (2.0 GHz if none).
   */
  public static CpuPeak derive(int cores) {
    double mhz = 0;
    String source = "assumed (no /proc/cpuinfo clock)";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("cpu MHz")) {
          mhz = Math.max(mhz, Double.parseDouble(line.substring(line.indexOf(':') + 1).trim()));
          source = "/proc/cpuinfo cpu MHz";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unusual format: fall back below
    }
    double ghz = mhz > 0 ? mhz / 1000 : 2.0;
    return new CpuPeak(ghz, source, cores, ghz * FMA_UNITS * LANES * 2 * cores);
  }

  /** How the peak was derived, in one line. */
  public String derivation() {
    return String.format(
        Locale.ROOT,
        "%.3f GHz (%s) x %d FMA units x %d float lanes (AVX2) x 2 FLOP per FMA x %d core%s",
        ghz,
        clockSource,
        FMA_UNITS,
        LANES,
        cores,
        cores == 1 ? "" : "s");
  }

  /**
   * GFLOP/s of a register-only loop of independent 8-lane FMAs run on every thread of {@code
   * threads} at once for about {@code millis}. Needs the Vector API module.
   */
  public static double measureFmaGflops(KernelThreads threads, long millis) {
    if (!KernelsProvider.vectorApiAvailable()) {
      throw new IllegalStateException(
          "measuring the FMA peak needs the Vector API: add the JVM option "
              + KernelsProvider.VECTOR_FLAG);
    }
    return SimdProbe.fmaGflops(threads, millis);
  }
}
