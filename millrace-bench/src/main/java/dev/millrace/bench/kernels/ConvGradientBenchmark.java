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
 * The Conv2D gradients (and the forward pass, for scale) of the built-in models' layers, batch 128,
 * on a pool of {@code threads}. Score: ms per call; each op does 2·N·Ho·Wo·Cout·kh·kw·Cin FLOP (the
 * first layer's input gradient is never asked for by a training step, but is measured all the
 * same).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g", "--add-modules", "jdk.incubator.vector"})
public class ConvGradientBenchmark {
  static final int BATCH = 128;

  /** Layers named model_in_out_size[_k][_s]: fashion-cnn, tf-tutorial-cnn and resnet20. */
  public enum Layer {
    fashion_1to32_28(1, 32, 28, 3, 1),
    fashion_32to64_14(32, 64, 14, 3, 1),
    fashion_64to128_7(64, 128, 7, 3, 1),
    tutorial_1to32_28_k5(1, 32, 28, 5, 1),
    tutorial_32to64_14_k5(32, 64, 14, 5, 1),
    resnet_16to16_32(16, 16, 32, 3, 1),
    resnet_16to32_32_s2(16, 32, 32, 3, 2),
    resnet_16to32_32_k1_s2(16, 32, 32, 1, 2),
    resnet_64to64_8(64, 64, 8, 3, 1);

    final int in;
    final int out;
    final int size;
    final int kernel;
    final int stride;

    Layer(int in, int out, int size, int kernel, int stride) {
      this.in = in;
      this.out = out;
      this.size = size;
      this.kernel = kernel;
      this.stride = stride;
    }
  }

  /** Which kernel. */
  public enum Op {
    forward,
    input,
    filter
  }

  @Param public Layer layer;

  @Param({"NHWC", "NCHW"})
  public DataFormat format;

  @Param({"input", "filter"})
  public Op op;

  @Param({"2"})
  public int threads;

  private KernelThreadPool pool;
  private Kernels kernels;
  private Tensor input;
  private Tensor filter;
  private Tensor outputGrad;
  private Conv2dSpec spec;

  @Setup(Level.Trial)
  public void setUp() {
    pool = KernelThreadPool.create(threads);
    kernels = new FastKernels(pool);
    Random rnd = new Random(42);
    input = KernelBenchData.random(rnd, format.shape(BATCH, layer.size, layer.size, layer.in));
    filter = KernelBenchData.random(rnd, Shape.of(layer.kernel, layer.kernel, layer.in, layer.out));
    spec = Conv2dSpec.of(layer.stride, Padding.SAME, format);
    outputGrad = KernelBenchData.random(rnd, kernels.conv2d(input, filter, spec).shape());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Tensor run() {
    return switch (op) {
      case forward -> kernels.conv2d(input, filter, spec);
      case input -> kernels.conv2dBackpropInput(input.shape(), filter, outputGrad, spec);
      case filter -> kernels.conv2dBackpropFilter(input, filter.shape(), outputGrad, spec);
    };
  }
}
