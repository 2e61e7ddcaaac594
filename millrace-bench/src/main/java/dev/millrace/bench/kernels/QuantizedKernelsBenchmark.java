package dev.millrace.bench.kernels;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvRequantization;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.FixedPointRequantizer;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
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
 * The eight-bit integer cores ({@code quantizedMatMul}, {@code quantizedConv2d}) against the float
 * fast kernels on the same shapes: two GEMMs (a square one and a convolution-shaped one, 1024
 * pixels × 3·3·64 taps × 64 channels) and two 3×3 SAME NHWC layers at batch 32. {@code float32} and
 * {@code int8} run the fast kernels; {@code int8Reference} runs the scalar reference on the square
 * GEMM only (it is slow). Score: ms per call (GOP/s = 2·m·n·k / time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class QuantizedKernelsBenchmark {
  /** The compared shapes. */
  public enum Case {
    gemm_256x256x256(256, 256, 256, 0, 0, 0, 0),
    gemm_1024x64x576(1024, 64, 576, 0, 0, 0, 0),
    conv3x3_16to16_32x32(0, 0, 0, 16, 16, 32, 32),
    conv3x3_32to32_16x16(0, 0, 0, 32, 32, 16, 32),
    conv3x3_64to64_8x8(0, 0, 0, 64, 64, 8, 32);

    final int m;
    final int n;
    final int k;
    final int in;
    final int out;
    final int size;
    final int batch;

    Case(int m, int n, int k, int in, int out, int size, int batch) {
      this.m = m;
      this.n = n;
      this.k = k;
      this.in = in;
      this.out = out;
      this.size = size;
      this.batch = batch;
    }

    boolean isConv() {
      return in > 0;
    }
  }

  @Param public Case shape;

  @Param({"1"})
  public int threads;

  private KernelThreadPool pool;
  private Kernels kernels;
  private final Kernels reference = new ReferenceKernels();
  private Tensor a;
  private Tensor b;
  private Tensor qa;
  private Tensor qb;
  private ConvRequantization requantization;
  private final Conv2dSpec spec = Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC);

  @Setup(Level.Trial)
  public void setUp() {
    pool = KernelThreadPool.create(threads);
    kernels = new FastKernels(pool);
    Random rnd = new Random(42);
    Shape sa =
        shape.isConv()
            ? Shape.of(shape.batch, shape.size, shape.size, shape.in)
            : Shape.of(shape.m, shape.k);
    Shape sb = shape.isConv() ? Shape.of(3, 3, shape.in, shape.out) : Shape.of(shape.k, shape.n);
    a = KernelBenchData.random(rnd, sa);
    b = KernelBenchData.random(rnd, sb);
    qa = codes(rnd, sa);
    qb = codes(rnd, sb);
    byte[] table = new byte[shape.out * 256];
    rnd.nextBytes(table);
    requantization = new ConvRequantization(new FixedPointRequantizer(-1e6f, 1e6f, -1f, 5f), table);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor float32() {
    return shape.isConv() ? kernels.conv2d(a, b, spec) : kernels.matmul(a, b, false, false);
  }

  @Benchmark
  public Tensor int8() {
    return shape.isConv()
        ? kernels.quantizedConv2d(qa, 128, qb, 131, spec)
        : kernels.quantizedMatMul(qa, 128, false, qb, 131, false);
  }

  /**
   * The fused route of a calibrated graph's convolutions: the same int8 convolution, each sum
   * requantized to its QUINT8 code and looked up in a per-channel table (convolutions only; the
   * GEMM shapes return their input).
   */
  @Benchmark
  public Tensor int8Requantized() {
    if (!shape.isConv()) {
      return qa;
    }
    return kernels.quantizedConv2dRequantized(qa, 128, qb, 131, spec, requantization);
  }

  @Benchmark
  public Tensor int8Reference() {
    if (shape != Case.gemm_256x256x256) {
      return qa; // the reference runs the square GEMM only; other shapes measure nothing
    }
    return reference.quantizedMatMul(qa, 128, false, qb, 131, false);
  }

  private static Tensor codes(Random rnd, Shape shape) {
    byte[] v = new byte[Math.toIntExact(shape.size())];
    rnd.nextBytes(v);
    return Tensor.ofBytes(DType.QUINT8, shape, v);
  }
}
