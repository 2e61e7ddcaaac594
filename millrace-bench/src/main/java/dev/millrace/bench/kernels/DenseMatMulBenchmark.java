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
 * The three products of the tutorial CNN's dense layer (batch 100, 3136 inputs, 1024 outputs) on 1
 * and 2 threads, as a training step calls them: forward {@code X · W}, input gradient {@code dY ·
 * Wᵀ} (the GEMM packs the transposed W column by column) and weight gradient {@code Xᵀ · dY}.
 * Score: ms per call; each is 0.64 GFLOP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g", "--add-modules", "jdk.incubator.vector"})
public class DenseMatMulBenchmark {
  /** Which of the layer's products. */
  public enum Product {
    forward,
    inputGradient,
    weightGradient
  }

  @Param public Product product;

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
    Tensor x = KernelBenchData.random(rnd, Shape.of(100, 3136));
    Tensor w = KernelBenchData.random(rnd, Shape.of(3136, 1024));
    Tensor dy = KernelBenchData.random(rnd, Shape.of(100, 1024));
    switch (product) {
      case forward -> {
        a = x;
        b = w;
      }
      case inputGradient -> {
        a = dy;
        b = w;
      }
      case weightGradient -> {
        a = x;
        b = dy;
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor matmul() {
    return switch (product) {
      case forward -> kernels.matmul(a, b, false, false);
      case inputGradient -> kernels.matmul(a, b, false, true);
      case weightGradient -> kernels.matmul(a, b, true, false);
    };
  }
}
