package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;

/** A register-only FMA loop: what the FMA pipes deliver with no memory traffic. */
public final class SimdProbe {
  private SimdProbe() {}

  /** Keeps the accumulators observable so that C2 cannot drop the loop. */
  private static volatile float sink;

  public static double fmaGflops(KernelThreads threads, long millis) {
    int tasks = threads.parallelism();
    // Many short calls first, so that C2 compiles burst() as a method: an on-stack-replacement
    // compile of its loop would box the vectors.
    threads.parallelFor(
        tasks,
        t -> {
          for (int i = 0; i < 20_000; i++) {
            burst(64);
          }
        });
    AtomicLong flops = new AtomicLong();
    long start = System.nanoTime();
    long end = start + millis * 1_000_000L;
    threads.parallelFor(
        tasks,
        t -> {
          long n = 0;
          while (System.nanoTime() < end) {
            n += burst(1 << 12);
          }
          flops.addAndGet(n);
        });
    return flops.get() / (double) (System.nanoTime() - start);
  }

  /** {@code iterations} rounds of 12 independent FMAs (enough to cover 2 pipes × 4 cycles). */
  private static long burst(int iterations) {
    FloatVector m = FloatVector.broadcast(Gemm.F, 0.999f);
    FloatVector c = FloatVector.broadcast(Gemm.F, 1e-3f);
    FloatVector a0 = FloatVector.broadcast(Gemm.F, 1f);
    FloatVector a1 = a0.add(c);
    FloatVector a2 = a1.add(c);
    FloatVector a3 = a2.add(c);
    FloatVector a4 = a3.add(c);
    FloatVector a5 = a4.add(c);
    FloatVector a6 = a5.add(c);
    FloatVector a7 = a6.add(c);
    FloatVector a8 = a7.add(c);
    FloatVector a9 = a8.add(c);
    FloatVector a10 = a9.add(c);
    FloatVector a11 = a10.add(c);
    for (int i = 0; i < iterations; i++) {
      a0 = a0.fma(m, c);
      a1 = a1.fma(m, c);
      a2 = a2.fma(m, c);
      a3 = a3.fma(m, c);
      a4 = a4.fma(m, c);
      a5 = a5.fma(m, c);
      a6 = a6.fma(m, c);
      a7 = a7.fma(m, c);
      a8 = a8.fma(m, c);
      a9 = a9.fma(m, c);
      a10 = a10.fma(m, c);
      a11 = a11.fma(m, c);
    }
    sink =
        a0.add(a1)
            .add(a2)
            .add(a3)
            .add(a4)
            .add(a5)
            .add(a6)
            .add(a7)
            .add(a8)
            .add(a9)
            .add(a10)
            .add(a11)
            .lane(0);
    return 12L * Gemm.NR * 2 * iterations;
  }
}
