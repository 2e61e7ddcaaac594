package dev.millrace.bench.kernels;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvEpilogue;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * One NHWC SAME convolution on one thread, timed by that thread's CPU time rather than the wall
 * clock: on a machine shared with other jobs the time slices they take cost wall time but not CPU
 * time, so two kernel choices compare within a few percent where JMH's wall-clock scores spread by
 * 2×. Run the two choices alternately (a system property each, one JVM per run), and repeat.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp millrace-bench/target/benchmarks.jar \
 *     dev.millrace.bench.kernels.ConvCpuTime in out size kernel [calls] [batch] [fused]
 * </pre>
 *
 * Prints the fewest and the median CPU milliseconds per call, after 3 s of warm-up. {@code fused}:
 * the call is the fused convolution with a bias and ReLU.
 */
public final class ConvCpuTime {
  private ConvCpuTime() {}

  public static void main(String[] args) {
    int in = Integer.parseInt(args[0]);
    int out = Integer.parseInt(args[1]);
    int size = Integer.parseInt(args[2]);
    int kernel = Integer.parseInt(args[3]);
    int calls = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    int batch = args.length > 5 ? Integer.parseInt(args[5]) : 128;
    boolean fused = args.length > 6 && args[6].equals("fused");
    try (KernelThreadPool pool = KernelThreadPool.create(1)) {
      Kernels kernels = new FastKernels(pool);
      Random rnd = new Random(42);
      Tensor x = KernelBenchData.random(rnd, DataFormat.NHWC.shape(batch, size, size, in));
      Tensor f = KernelBenchData.random(rnd, Shape.of(kernel, kernel, in, out));
      Conv2dSpec spec = Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC);
      ConvEpilogue bias =
          ConvEpilogue.bias(KernelBenchData.random(rnd, Shape.of(out)), UnaryOp.RELU);
      Runnable call =
          fused ? () -> kernels.fusedConv2d(x, f, spec, bias) : () -> kernels.conv2d(x, f, spec);
      double[] ms = time(call, calls);
      System.out.printf(
          Locale.ROOT,
          "%d->%d %dx%d %dx%d batch %d%s: CPU ms per call min %.3f median %.3f%n",
          in,
          out,
          size,
          size,
          kernel,
          kernel,
          batch,
          fused ? " fused" : "",
          ms[0],
          ms[calls / 2]);
    }
  }

  /** CPU milliseconds of each of {@code calls} calls after a 3 s warm-up, sorted. */
  private static double[] time(Runnable call, int calls) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      call.run();
    }
    double[] ms = new double[calls];
    for (int i = 0; i < calls; i++) {
      long start = threads.getCurrentThreadCpuTime();
      call.run();
      ms[i] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }
}
