package dev.millrace.bench.kernels;

import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
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
 * Millrace's FLOAT32 MatMul (the Vector API GEMM of {@link FastKernels}) at 1024³, the twin of
 * {@code TfMatMulBenchmark}; 1023 and 1031 too, sizes that are not multiples of the vector width or
 * the micro-tile. Score: ms per call (GFLOP/s = 2·m·n·k / time). Warm-up is long because C2's first
 * compile of the micro-kernel loop is an on-stack replacement that boxes vectors.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class MillraceMatMulBenchmark {
  @Param({"1024", "1023", "1031"})
  public int size;

  /** Intra-op threads of the kernels' pool. */
  @Param({"1", "2"})
  public int threads;

  private KernelThreadPool pool;
  private Kernels kernels;
  private Tensor a;
  private Tensor b;

  @Setup(Level.Trial)
  public void setUp() {
    pool = KernelThreadPool.create(threads);
    kernels = new FastKernels(pool);
    Random rnd = new Random(42);
    a = KernelBenchData.random(rnd, Shape.of(size, size));
    b = KernelBenchData.random(rnd, Shape.of(size, size));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor matmul() {
    return kernels.matmul(a, b, false, false);
  }
}
