package dev.millrace.kernels;

import dev.millrace.kernels.internal.simd.SimdProbe;
import java.util.Locale;

/**
 * The float32 FMA peak of this machine, derived as {@code clock × FMA units × float lanes per unit
 * and cycle × 2 FLOP × cores}: the clock from {@code /proc/cpuinfo} ("cpu MHz", the highest over
 * the processors), 2 FMA units per core (Zen 3, Zen 4 and recent Intel cores), as many lanes as the
 * kernels' vector width holds unless the unit is narrower ({@link HostCpu#fmaDatapathBits}), 2 FLOP
 * per fused multiply-add. {@link #measureFmaGflops} measures what a register-only FMA loop reaches,
 * a check of the derivation (boost clocks exceed it; a loaded machine falls short of it).
 *
 * @param ghz the clock used
 * @param clockSource where the clock came from
 * @param cores cores counted
 * @param vectorBits the kernels' vector width
 * @param datapathBits the bits one FMA unit completes per cycle
 * @param gflops the derived peak
 */
public record CpuPeak(
    double ghz, String clockSource, int cores, int vectorBits, int datapathBits, double gflops) {
  /** FMA pipes per core. */
  public static final int FMA_UNITS = 2;

  /** The peak of {@code cores} cores at the width the fast kernels use. Needs the Vector API. */
  public static CpuPeak derive(int cores) {
    return derive(HostCpu.detect(), VectorWidth.inUse().bits(), cores);
  }

  /** The peak of {@code cores} cores of {@code cpu} with vectors of {@code vectorBits}. */
  public static CpuPeak derive(HostCpu cpu, int vectorBits, int cores) {
    boolean known = cpu.mhz() > 0;
    double ghz = known ? cpu.mhz() / 1000 : 2.0;
    String source = known ? "/proc/cpuinfo cpu MHz" : "assumed (no /proc/cpuinfo clock)";
    int datapath = cpu.fmaDatapathBits(vectorBits);
    double gflops = ghz * FMA_UNITS * (datapath / Float.SIZE) * 2 * cores;
    return new CpuPeak(ghz, source, cores, vectorBits, datapath, gflops);
  }

  /** How the peak was derived, in one line. */
  public String derivation() {
    String lanes =
        datapathBits == vectorBits
            ? String.format(Locale.ROOT, "%d float lanes (%d-bit)", vectorBits / 32, vectorBits)
            : String.format(
                Locale.ROOT,
                "%d float lanes (%d-bit vectors on a %d-bit datapath)",
                datapathBits / 32,
                vectorBits,
                datapathBits);
    return String.format(
        Locale.ROOT,
        "%.3f GHz (%s) x %d FMA units x %s x 2 FLOP per FMA x %d core%s",
        ghz,
        clockSource,
        FMA_UNITS,
        lanes,
        cores,
        cores == 1 ? "" : "s");
  }

  /**
   * GFLOP/s of a register-only loop of independent FMAs at the kernels' width, run on every thread
   * of {@code threads} at once for about {@code millis}. Needs the Vector API module.
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
