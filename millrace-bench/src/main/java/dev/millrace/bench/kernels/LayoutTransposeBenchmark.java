package dev.millrace.bench.kernels;

import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NCHW ↔ NHWC layout copies of the tutorial CNN's activations at batch 100 (what an NCHW
 * convolution or pooling pays to run as its NHWC twin), with the output recycled as a session
 * recycles it. Bytes moved per call: twice the tensor's size. Compare the gathered and the scalar
 * tiles with {@code -Dmillrace.transpose.gather=false} in a second run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g", "--add-modules", "jdk.incubator.vector"})
public class LayoutTransposeBenchmark {
  /** {@code N,C,H,W} of the NCHW side. */
  @Param({"100,32,28,28", "100,64,14,14"})
  public String nchw;

  @Param({"toNhwc", "toNchw"})
  public String direction;

  @Param({"1", "2"})
  public int threads;

  private KernelThreadPool pool;
  private Kernels kernels;
  private OutputBuffers buffers;
  private Tensor x;
  private int[] perm;

  @Setup(Level.Trial)
  public void setUp() {
    String[] d = nchw.split(",");
    long n = Long.parseLong(d[0]);
    long c = Long.parseLong(d[1]);
    long h = Long.parseLong(d[2]);
    long w = Long.parseLong(d[3]);
    boolean toNhwc = direction.equals("toNhwc");
    Shape shape = toNhwc ? Shape.of(n, c, h, w) : Shape.of(n, h, w, c);
    perm = toNhwc ? new int[] {0, 2, 3, 1} : new int[] {0, 3, 1, 2};
    x = KernelBenchData.random(new Random(3), shape);
    pool = KernelThreadPool.create(threads);
    kernels = new FastKernels(pool);
    buffers = new OutputBuffers(1L << 30);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor transpose() {
    Tensor t =
        OutputBuffers.supplying(new OutputBuffers.Loan(buffers), () -> kernels.transpose(x, perm));
    buffers.recycle(t);
    return t;
  }
}
