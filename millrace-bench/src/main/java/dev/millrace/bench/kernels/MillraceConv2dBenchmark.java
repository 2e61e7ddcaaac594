package dev.millrace.bench.kernels;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
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
 * Millrace's 3×3 Conv2D forward (implicit-im2col GEMM) on the five reference layers, batch 32, SAME
 * padding, in both data formats: the twin of {@code TfConv2dBenchmark} (which has NHWC only,
 * TensorFlow's CPU build having no NCHW Conv2D). Score: ms per call (GFLOP/s = 2·N·Ho·Wo·Cout·9·Cin
 * / time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class MillraceConv2dBenchmark {
  static final int BATCH = 32;

  /** The reference layers, named as {@code millrace bench kernels} and TfConv2dBenchmark do. */
  public enum Layer {
    conv3x3_3to16_32x32(3, 16, 32, 1),
    conv3x3_16to16_32x32(16, 16, 32, 1),
    conv3x3_16to32_s2_32x32(16, 32, 32, 2),
    conv3x3_32to32_16x16(32, 32, 16, 1),
    conv3x3_64to64_8x8(64, 64, 8, 1);

    final int in;
    final int out;
    final int size;
    final int stride;

    Layer(int in, int out, int size, int stride) {
      this.in = in;
      this.out = out;
      this.size = size;
      this.stride = stride;
    }
  }

  @Param public Layer layer;

  @Param({"NHWC", "NCHW"})
  public DataFormat format;

  @Param({"1", "2"})
  public int threads;

  private KernelThreadPool pool;
  private Kernels kernels;
  private Tensor input;
  private Tensor filter;
  private Conv2dSpec spec;

  @Setup(Level.Trial)
  public void setUp() {
    pool = KernelThreadPool.create(threads);
    kernels = new FastKernels(pool);
    Random rnd = new Random(42);
    input = KernelBenchData.random(rnd, format.shape(BATCH, layer.size, layer.size, layer.in));
    filter = KernelBenchData.random(rnd, Shape.of(3, 3, layer.in, layer.out));
    spec = Conv2dSpec.of(layer.stride, Padding.SAME, format);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor conv2d() {
    return kernels.conv2d(input, filter, spec);
  }
}
