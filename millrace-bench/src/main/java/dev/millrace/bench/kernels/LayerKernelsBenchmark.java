package dev.millrace.bench.kernels;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.kernels.internal.ElementwiseKernels;
import dev.millrace.kernels.internal.simd.SimdElementwise;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layer kernels around the convolutions (softmax, cross-entropy, depthwise convolution and its
 * gradients, pooling and its gradients, Elu and EluGrad, whose twins the op entries bind), fast
 * against their scalar reference twins in the same fork, on one thread. Score: ms per call; the
 * ratio of the two {@code impl} values is the speed-up of the vectorised kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class LayerKernelsBenchmark {
  /** A kernel call on fixed inputs. */
  public enum Case {
    softmax_256x1000,
    crossEntropy_256x1000,
    depthwise3x3_NHWC_4x56x56x32,
    depthwise3x3_NHWC_4x56x56x32_inputGrad,
    depthwise3x3_NHWC_4x56x56x32_filterGrad,
    depthwise3x3_NCHW_4x32x56x56,
    depthwise3x3_NCHW_4x32x56x56_inputGrad,
    depthwise3x3_NCHW_4x32x56x56_filterGrad,
    maxPool3x3s1_NCHW_8x32x56x56,
    maxPool3x3s1_NCHW_8x32x56x56_grad,
    avgPool3x3s1_NCHW_8x32x56x56,
    avgPool3x3s1_NCHW_8x32x56x56_grad,
    maxPool2x2s2_NCHW_8x32x56x56,
    maxPool2x2s2_NHWC_8x56x56x32,
    maxPool2x2s2_NHWC_8x56x56x32_grad,
    /** The backward pass of ReLU then max pooling, as fused in training steps. */
    maxPool2x2s2_NHWC_8x56x56x32_gradOfRelu,
    /** The dense 3136 → 1024 layer of tf-tutorial-cnn at batch 100: forward, dX, dW. */
    dense_100x1024x3136,
    dense_100x3136x1024_transposeB,
    dense_3136x1024x100_transposeA,
    elu_8x56x56x32,
    eluGrad_8x56x56x32
  }

  @Param public Case kernel;

  @Param({"fast", "reference"})
  public String impl;

  private Kernels kernels;
  private Tensor a;
  private Tensor b;
  private Tensor grad;
  private Conv2dSpec conv;
  private PoolSpec pool;

  @Setup(Level.Trial)
  public void setUp() {
    kernels = impl.equals("fast") ? new FastKernels() : new ReferenceKernels();
    Random rnd = new Random(42);
    String name = kernel.name();
    DataFormat format = name.contains("NCHW") ? DataFormat.NCHW : DataFormat.NHWC;
    if (name.startsWith("softmax") || name.startsWith("crossEntropy")) {
      a = KernelBenchData.random(rnd, Shape.of(256, 1000));
      int[] labels = new int[256];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = rnd.nextInt(1000);
      }
      b = Tensor.ofInts(Shape.of(256), labels);
    } else if (name.startsWith("depthwise")) {
      a = KernelBenchData.random(rnd, format.shape(4, 56, 56, 32));
      b = KernelBenchData.random(rnd, Shape.of(3, 3, 32, 1));
      conv = Conv2dSpec.of(1, Padding.SAME, format);
      grad = KernelBenchData.random(rnd, a.shape());
    } else if (name.startsWith("dense")) {
      boolean ta = name.endsWith("transposeA");
      boolean tb = name.endsWith("transposeB");
      a = KernelBenchData.random(rnd, ta ? Shape.of(100, 3136) : Shape.of(100, tb ? 1024 : 3136));
      b =
          KernelBenchData.random(
              rnd, ta ? Shape.of(100, 1024) : tb ? Shape.of(3136, 1024) : Shape.of(3136, 1024));
    } else if (name.startsWith("elu")) {
      a = KernelBenchData.random(rnd, Shape.of(8, 56, 56, 32));
      grad = KernelBenchData.random(rnd, a.shape());
    } else {
      a = KernelBenchData.random(rnd, format.shape(8, 56, 56, 32));
      boolean s2 = name.contains("2x2s2");
      pool = PoolSpec.of(s2 ? 2 : 3, s2 ? 2 : 1, Padding.SAME, format);
      grad = KernelBenchData.random(rnd, format.shape(8, s2 ? 28 : 56, s2 ? 28 : 56, 32));
    }
  }

  @Benchmark
  public Object call() {
    return switch (kernel) {
      case softmax_256x1000 -> kernels.softmax(a);
      case crossEntropy_256x1000 -> kernels.sparseSoftmaxCrossEntropy(a, b);
      case depthwise3x3_NHWC_4x56x56x32, depthwise3x3_NCHW_4x32x56x56 ->
          kernels.depthwiseConv2d(a, b, conv);
      case depthwise3x3_NHWC_4x56x56x32_inputGrad, depthwise3x3_NCHW_4x32x56x56_inputGrad ->
          kernels.depthwiseConv2dBackpropInput(a.shape(), b, grad, conv);
      case depthwise3x3_NHWC_4x56x56x32_filterGrad, depthwise3x3_NCHW_4x32x56x56_filterGrad ->
          kernels.depthwiseConv2dBackpropFilter(a, b.shape(), grad, conv);
      case maxPool3x3s1_NCHW_8x32x56x56,
          maxPool2x2s2_NCHW_8x32x56x56,
          maxPool2x2s2_NHWC_8x56x56x32 ->
          kernels.maxPool(a, pool);
      case maxPool3x3s1_NCHW_8x32x56x56_grad, maxPool2x2s2_NHWC_8x56x56x32_grad ->
          kernels.maxPoolGrad(a, grad, pool);
      case maxPool2x2s2_NHWC_8x56x56x32_gradOfRelu -> kernels.maxPoolGradOfRelu(a, grad, pool);
      case dense_100x1024x3136 -> kernels.matmul(a, b, false, false);
      case dense_100x3136x1024_transposeB -> kernels.matmul(a, b, false, true);
      case dense_3136x1024x100_transposeA -> kernels.matmul(a, b, true, false);
      case avgPool3x3s1_NCHW_8x32x56x56 -> kernels.avgPool(a, pool);
      case avgPool3x3s1_NCHW_8x32x56x56_grad -> kernels.avgPoolGrad(a.shape(), grad, pool);
      case elu_8x56x56x32 ->
          impl.equals("fast")
              ? SimdElementwise.elu(a, KernelThreads.inline())
              : ElementwiseKernels.elu(a);
      case eluGrad_8x56x56x32 ->
          impl.equals("fast")
              ? SimdElementwise.eluGrad(grad, a, KernelThreads.inline())
              : ElementwiseKernels.eluGrad(grad, a);
    };
  }
}
