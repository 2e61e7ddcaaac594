package dev.millrace.kernels;

import dev.millrace.kernels.internal.Broadcast;
import dev.millrace.kernels.internal.ChannelLayout;
import dev.millrace.kernels.internal.Checks;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.kernels.internal.PoolKernels;
import dev.millrace.kernels.internal.simd.Gemm;
import dev.millrace.kernels.internal.simd.ImageTranspose;
import dev.millrace.kernels.internal.simd.NchwViaNhwc;
import dev.millrace.kernels.internal.simd.QuantizedGemm;
import dev.millrace.kernels.internal.simd.SimdConv;
import dev.millrace.kernels.internal.simd.SimdConvGrad;
import dev.millrace.kernels.internal.simd.SimdCrossEntropy;
import dev.millrace.kernels.internal.simd.SimdDepthwise;
import dev.millrace.kernels.internal.simd.SimdElementwise;
import dev.millrace.kernels.internal.simd.SimdLinear;
import dev.millrace.kernels.internal.simd.SimdNorm;
import dev.millrace.kernels.internal.simd.SimdOptimizer;
import dev.millrace.kernels.internal.simd.SimdPool;
import dev.millrace.kernels.internal.simd.SimdReduce;
import dev.millrace.kernels.internal.simd.SimdSoftmax;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * The fast CPU kernels: FLOAT32 MatMul, convolutions (depthwise included, with their gradients),
 * batch normalization, pooling, softmax and cross-entropy, and the common elementwise and reduction
 * kernels on the JDK Vector API, and the integer cores of eight-bit MatMul and Conv2D (exactly
 * equal to the reference's), splitting large calls over the given {@link KernelThreads}. Every
 * other case (other types, rare ops) runs the {@link ReferenceKernels}, which also supply the
 * argument checks and their messages. Results match the reference twins within float rounding (the
 * tests state each tolerance). They compute at the width {@link VectorWidth} chooses for the host
 * (512, 256 or 128 bits). Needs the JVM option {@value KernelsProvider#VECTOR_FLAG}; {@link
 * KernelsProvider#best} falls back to the reference kernels without it.
 */
public final class FastKernels extends ReferenceForwardingKernels {
  /**
   * The ops that have no fast version: {@link ReferenceForwardingKernels} runs them on the
   * reference kernels. None is on a built-in model's training path (a test checks that every other
   * op of {@link Kernels} is overridden here, and none of these is).
   */
  public static final java.util.Set<String> REFERENCE_ONLY =
      java.util.Set.of(
          "sigmoidGrad",
          "tanhGrad",
          "equal",
          "cast",
          "argmax",
          "concat",
          "pad",
          "padGrad",
          "slice",
          "fill");

  private final KernelThreads threads;

  /** Single-threaded fast kernels. */
  public FastKernels() {
    this(KernelThreads.inline());
  }

  /** Fast kernels splitting large calls over {@code threads}. */
  public FastKernels(KernelThreads threads) {
    VectorWidth.inUse(); // fails here, clearly, without the Vector API or with a bad forced width
    if (threads == null) {
      throw new IllegalArgumentException("threads must not be null");
    }
    this.threads = threads;
  }

  @Override
  public Kernels withThreads(KernelThreads threads) {
    return threads == this.threads ? this : new FastKernels(threads);
  }

  @Override
  public boolean splitsWork() {
    return threads.parallelism() > 1;
  }

  /** The threads these kernels split their work over. */
  public KernelThreads threads() {
    return threads;
  }

  /**
   * The shape that broadcasts a BiasAdd bias along x's channel axis, or null if it does not fit.
   */
  private static Shape biasShape(Tensor bias, Tensor x, DataFormat format) {
    int rank = x.shape().rank();
    int channelAxis = format == DataFormat.NHWC ? rank - 1 : 1;
    long channels = x.shape().dim(channelAxis);
    if (bias.shape().rank() != 1 || bias.shape().dim(0) != channels) {
      return null;
    }
    long[] dims = new long[rank - channelAxis];
    java.util.Arrays.fill(dims, 1);
    dims[0] = channels;
    return Shape.of(dims);
  }

  private static boolean f32(Tensor t) {
    return t != null && t.dtype() == DType.FLOAT32;
  }

  // ---- elementwise ----

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    if (op != null && f32(x)) {
      return SimdElementwise.unary(op, x, threads);
    }
    return super.unary(op, x);
  }

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    if (SimdElementwise.supports(op) && f32(a) && f32(b)) {
      Shape out = Broadcast.shapeOrNull(a.shape(), b.shape());
      if (out != null) {
        return SimdElementwise.binary(op, a, b, out, threads);
      }
    }
    return super.binary(op, a, b);
  }

  @Override
  public Tensor sumToShape(Tensor grad, Shape shape) {
    if (f32(grad)
        && shape != null
        && shape.isFullyDefined()
        && Broadcast.broadcastsTo(shape, grad.shape())) {
      int rank = grad.shape().rank();
      int lead = rank - shape.rank();
      boolean[] reduced = new boolean[rank];
      for (int i = 0; i < rank; i++) {
        reduced[i] = i < lead || (shape.dim(i - lead) == 1 && grad.shape().dim(i) != 1);
      }
      return SimdReduce.reduce(ReduceOp.SUM, grad, reduced, shape, threads);
    }
    return super.sumToShape(grad, shape);
  }

  @Override
  public Tensor reluGrad(Tensor grad, Tensor x) {
    if (f32(grad) && f32(x) && grad.shape().equals(x.shape())) {
      return SimdElementwise.gatedGrad(grad, x, 0f, Float.POSITIVE_INFINITY, threads);
    }
    return super.reluGrad(grad, x);
  }

  @Override
  public Tensor relu6Grad(Tensor grad, Tensor x) {
    if (f32(grad) && f32(x) && grad.shape().equals(x.shape())) {
      return SimdElementwise.gatedGrad(grad, x, 0f, 6f, threads);
    }
    return super.relu6Grad(grad, x);
  }

  // ---- linear algebra and convolution ----

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    if (f32(a)
        && f32(b)
        && a.shape().rank() == 2
        && b.shape().rank() == 2
        && a.shape().dim(transposeA ? 0 : 1) == b.shape().dim(transposeB ? 1 : 0)) {
      return SimdLinear.matmul(a, b, transposeA, transposeB, threads);
    }
    return super.matmul(a, b, transposeA, transposeB);
  }

  @Override
  public Tensor biasAdd(Tensor x, Tensor bias, DataFormat format) {
    if (f32(x) && f32(bias) && format != null && x.shape().rank() >= 2) {
      Shape b = biasShape(bias, x, format);
      if (b != null) {
        return SimdElementwise.binary(BinaryOp.ADD, x, bias.reshape(b), x.shape(), threads);
      }
    }
    return super.biasAdd(x, bias, format);
  }

  @Override
  public Tensor biasAddGrad(Tensor grad, DataFormat format) {
    if (f32(grad) && format != null && grad.shape().rank() >= 2) {
      int rank = grad.shape().rank();
      int channelAxis = format == DataFormat.NHWC ? rank - 1 : 1;
      boolean[] reduced = new boolean[rank];
      for (int i = 0; i < rank; i++) {
        reduced[i] = i != channelAxis;
      }
      Shape out = Shape.of(grad.shape().dim(channelAxis));
      return SimdReduce.reduce(ReduceOp.SUM, grad, reduced, out, threads);
    }
    return super.biasAddGrad(grad, format);
  }

  @Override
  public Tensor transpose(Tensor x, int[] perm) {
    if (f32(x) && perm != null && perm.length == x.shape().rank() && x.shape().isFullyDefined()) {
      Tensor t = ImageTranspose.rotated(x, perm, threads);
      if (t != null) {
        return t;
      }
    }
    return super.transpose(x, perm);
  }

  @Override
  public Tensor conv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    if (f32(input) && f32(filter) && spec != null) {
      Geometry g = Geometry.of("conv2d", input.shape(), filter.shape(), spec, false);
      return SimdConv.forward(input, filter, g, null, null, Gemm.Activation.NONE, threads);
    }
    return super.conv2d(input, filter, spec);
  }

  @Override
  public Tensor fusedConv2d(Tensor input, Tensor filter, Conv2dSpec spec, ConvEpilogue epilogue) {
    if (f32(input) && f32(filter) && spec != null && epilogue != null) {
      Geometry g = Geometry.of("fusedConv2d", input.shape(), filter.shape(), spec, false);
      float[] scale = channelValues(epilogue.scale(), g.filterOut());
      float[] bias = channelValues(epilogue.bias(), g.filterOut());
      boolean usable =
          (epilogue.scale() == null || scale != null) && (epilogue.bias() == null || bias != null);
      if (usable) {
        Gemm.Activation act =
            switch (epilogue.activation()) {
              case RELU -> Gemm.Activation.RELU;
              case RELU6 -> Gemm.Activation.RELU6;
              default -> Gemm.Activation.NONE;
            };
        return SimdConv.forward(input, filter, g, scale, bias, act, threads);
      }
    }
    return super.fusedConv2d(input, filter, spec, epilogue);
  }

  /** The values of a FLOAT32 rank-1 tensor of {@code channels} elements, else null. */
  private static float[] channelValues(Tensor t, int channels) {
    if (!f32(t) || t.shape().rank() != 1 || t.size() != channels) {
      return null;
    }
    return t.toFloatArray();
  }

  @Override
  public Tensor conv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    if (f32(filter) && f32(outputGrad) && spec != null && inputShape != null) {
      Checks.requireDefined("conv2dBackpropInput", "inputShape", inputShape);
      Geometry g = Geometry.of("conv2dBackpropInput", inputShape, filter.shape(), spec, false);
      g.requireOutputShape("conv2dBackpropInput", outputGrad);
      return SimdConvGrad.backpropInput(inputShape, filter, outputGrad, g, threads);
    }
    return super.conv2dBackpropInput(inputShape, filter, outputGrad, spec);
  }

  @Override
  public Tensor conv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    if (f32(input) && f32(outputGrad) && spec != null && filterShape != null) {
      Checks.requireDefined("conv2dBackpropFilter", "filterShape", filterShape);
      Geometry g = Geometry.of("conv2dBackpropFilter", input.shape(), filterShape, spec, false);
      g.requireOutputShape("conv2dBackpropFilter", outputGrad);
      return SimdConvGrad.backpropFilter(input, filterShape, outputGrad, g, threads);
    }
    return super.conv2dBackpropFilter(input, filterShape, outputGrad, spec);
  }

  @Override
  public Tensor depthwiseConv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    if (f32(input) && f32(filter) && spec != null) {
      Geometry g = Geometry.of("depthwiseConv2d", input.shape(), filter.shape(), spec, true);
      return SimdDepthwise.forward(input, filter, g, threads);
    }
    return super.depthwiseConv2d(input, filter, spec);
  }

  @Override
  public Tensor depthwiseConv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    if (f32(filter) && f32(outputGrad) && spec != null && inputShape != null) {
      String op = "depthwiseConv2dBackpropInput";
      Checks.requireDefined(op, "inputShape", inputShape);
      Geometry g = Geometry.of(op, inputShape, filter.shape(), spec, true);
      g.requireOutputShape(op, outputGrad);
      return SimdDepthwise.backpropInput(filter, outputGrad, g, threads);
    }
    return super.depthwiseConv2dBackpropInput(inputShape, filter, outputGrad, spec);
  }

  @Override
  public Tensor depthwiseConv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    if (f32(input) && f32(outputGrad) && spec != null && filterShape != null) {
      String op = "depthwiseConv2dBackpropFilter";
      Checks.requireDefined(op, "filterShape", filterShape);
      Geometry g = Geometry.of(op, input.shape(), filterShape, spec, true);
      g.requireOutputShape(op, outputGrad);
      return SimdDepthwise.backpropFilter(input, filterShape, outputGrad, g, threads);
    }
    return super.depthwiseConv2dBackpropFilter(input, filterShape, outputGrad, spec);
  }

  // ---- pooling ----

  @Override
  public Tensor maxPool(Tensor x, PoolSpec spec) {
    if (f32(x) && spec != null) {
      return SimdPool.pool(x, PoolKernels.Geometry.of("maxPool", x.shape(), spec), true, threads);
    }
    return super.maxPool(x, spec);
  }

  @Override
  public Tensor maxPoolGrad(Tensor x, Tensor outputGrad, PoolSpec spec) {
    if (f32(x) && f32(outputGrad) && spec != null) {
      PoolKernels.Geometry g = PoolKernels.Geometry.of("maxPoolGrad", x.shape(), spec);
      g.requireOutputShape("maxPoolGrad", outputGrad);
      return SimdPool.grad(x, x.shape(), outputGrad, g, true, threads);
    }
    return super.maxPoolGrad(x, outputGrad, spec);
  }

  @Override
  public Tensor maxPoolGradOfRelu(Tensor x, Tensor outputGrad, PoolSpec spec) {
    if (f32(x) && f32(outputGrad) && spec != null) {
      PoolKernels.Geometry g = PoolKernels.Geometry.of("maxPoolGradOfRelu", x.shape(), spec);
      g.requireOutputShape("maxPoolGradOfRelu", outputGrad);
      return SimdPool.maxGradOfPositive(x, outputGrad, g, threads);
    }
    return super.maxPoolGradOfRelu(x, outputGrad, spec);
  }

  @Override
  public Tensor avgPool(Tensor x, PoolSpec spec) {
    if (f32(x) && spec != null) {
      return SimdPool.pool(x, PoolKernels.Geometry.of("avgPool", x.shape(), spec), false, threads);
    }
    return super.avgPool(x, spec);
  }

  @Override
  public Tensor avgPoolGrad(Shape inputShape, Tensor outputGrad, PoolSpec spec) {
    if (f32(outputGrad) && spec != null && inputShape != null && inputShape.isFullyDefined()) {
      PoolKernels.Geometry g = PoolKernels.Geometry.of("avgPoolGrad", inputShape, spec);
      g.requireOutputShape("avgPoolGrad", outputGrad);
      return SimdPool.grad(null, inputShape, outputGrad, g, false, threads);
    }
    return super.avgPoolGrad(inputShape, outputGrad, spec);
  }

  // ---- normalisation and losses ----

  @Override
  public FusedBatchNormResult fusedBatchNorm(
      Tensor x,
      Tensor scale,
      Tensor offset,
      Tensor mean,
      Tensor variance,
      double epsilon,
      DataFormat format,
      boolean training) {
    if (f32(x) && format != null && x.shape().rank() >= 2) {
      ChannelLayout l = ChannelLayout.of("fusedBatchNorm", x.shape(), format);
      float[] s = channelValues(scale, l.channels());
      float[] o = channelValues(offset, l.channels());
      float[] m = training ? null : channelValues(mean, l.channels());
      float[] v = training ? null : channelValues(variance, l.channels());
      if (s != null && o != null && (training || (m != null && v != null))) {
        FusedBatchNormResult onTwin =
            format == DataFormat.NCHW
                ? NchwViaNhwc.batchNorm(x, s, o, m, v, epsilon, training, threads)
                : null;
        if (onTwin != null) {
          return onTwin;
        }
        return SimdNorm.fusedBatchNorm(x, s, o, m, v, epsilon, l, training, threads);
      }
    }
    return super.fusedBatchNorm(x, scale, offset, mean, variance, epsilon, format, training);
  }

  @Override
  public BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      Tensor scale,
      Tensor savedMean,
      Tensor savedInvStd,
      DataFormat format) {
    if (f32(outputGrad)
        && f32(x)
        && outputGrad.shape().equals(x.shape())
        && format != null
        && x.shape().rank() >= 2) {
      ChannelLayout l = ChannelLayout.of("fusedBatchNormGrad", x.shape(), format);
      float[] s = channelValues(scale, l.channels());
      float[] m = channelValues(savedMean, l.channels());
      float[] inv = channelValues(savedInvStd, l.channels());
      if (s != null && m != null && inv != null) {
        BatchNormGradients onTwins =
            format == DataFormat.NCHW
                ? NchwViaNhwc.batchNormGrad(outputGrad, x, s, m, inv, threads)
                : null;
        if (onTwins != null) {
          return onTwins;
        }
        return SimdNorm.fusedBatchNormGrad(outputGrad, x, s, m, inv, l, threads);
      }
    }
    return super.fusedBatchNormGrad(outputGrad, x, scale, savedMean, savedInvStd, format);
  }

  @Override
  public Tensor softmax(Tensor logits) {
    if (f32(logits) && logits.shape().rank() >= 1) {
      return SimdSoftmax.softmax(logits, false, threads);
    }
    return super.softmax(logits);
  }

  @Override
  public Tensor logSoftmax(Tensor logits) {
    if (f32(logits) && logits.shape().rank() >= 1) {
      return SimdSoftmax.softmax(logits, true, threads);
    }
    return super.logSoftmax(logits);
  }

  @Override
  public CrossEntropyResult sparseSoftmaxCrossEntropy(Tensor logits, Tensor labels) {
    long[] valid = SimdCrossEntropy.validLabels(logits, labels);
    if (valid != null) {
      return SimdCrossEntropy.sparse(logits, valid, threads);
    }
    return super.sparseSoftmaxCrossEntropy(logits, labels);
  }

  // ---- reductions and shape manipulation ----

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
    if (SimdReduce.supports(op) && f32(x)) {
      Shape shape = x.shape();
      int rank = shape.rank();
      boolean[] reduced = new boolean[rank];
      boolean valid = true;
      if (axes == null || axes.length == 0) {
        java.util.Arrays.fill(reduced, true);
      } else {
        for (int a : axes) {
          valid &= a >= -rank && a < rank;
          if (valid) {
            reduced[a < 0 ? a + rank : a] = true;
          }
        }
      }
      if (valid) {
        long[] dims = shape.dims();
        int kept = 0;
        for (int i = 0; i < rank; i++) {
          kept += reduced[i] ? 0 : 1;
        }
        long[] out = new long[keepDims ? rank : kept];
        for (int i = 0, k = 0; i < rank; i++) {
          if (keepDims) {
            out[i] = reduced[i] ? 1 : dims[i];
          } else if (!reduced[i]) {
            out[k++] = dims[i];
          }
        }
        return SimdReduce.reduce(op, x, reduced, Shape.of(out), threads);
      }
    }
    return super.reduce(op, x, axes, keepDims);
  }

  // ---- eight-bit integer cores ----

  @Override
  public Tensor quantizedMatMul(
      Tensor a, int aZero, boolean transposeA, Tensor b, int bZero, boolean transposeB) {
    return QuantizedGemm.matMul(a, aZero, transposeA, b, bZero, transposeB, threads);
  }

  @Override
  public Tensor quantizedConv2d(
      Tensor input, int inputZero, Tensor filter, int filterZero, Conv2dSpec spec) {
    return QuantizedGemm.conv2d(input, inputZero, filter, filterZero, spec, threads);
  }

  @Override
  public Tensor quantizedConv2dRequantized(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization requantization) {
    return QuantizedGemm.conv2dRequantized(
        input, inputZero, filter, filterZero, spec, requantization, threads);
  }

  @Override
  public Tensor quantizedMatMulRequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      Requantization requantization) {
    return QuantizedGemm.matMulRequantized(
        a, aZero, transposeA, b, bZero, transposeB, requantization, threads);
  }

  @Override
  public Tensor quantizedMatMulDequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      float[] scale,
      float[] offset) {
    return QuantizedGemm.matMulDequantized(
        a, aZero, transposeA, b, bZero, transposeB, scale, offset, threads);
  }

  // ---- optimizer updates ----

  /** FLOAT32 tensors of one shape: an update the fast kernels run in place. */
  private static boolean sameF32(Tensor var, Tensor... others) {
    if (!f32(var)) {
      return false;
    }
    for (Tensor t : others) {
      if (!f32(t) || !t.shape().equals(var.shape())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void applyGradientDescent(Tensor var, double lr, Tensor grad) {
    if (sameF32(var, grad)) {
      SimdOptimizer.gradientDescent(var, lr, grad, threads);
      return;
    }
    super.applyGradientDescent(var, lr, grad);
  }

  @Override
  public void applyMomentum(
      Tensor var, Tensor accum, double lr, Tensor grad, double momentum, boolean nesterov) {
    if (sameF32(var, accum, grad)) {
      SimdOptimizer.momentum(var, accum, lr, grad, momentum, nesterov, threads);
      return;
    }
    super.applyMomentum(var, accum, lr, grad, momentum, nesterov);
  }

  @Override
  public void applyAdam(
      Tensor var,
      Tensor m,
      Tensor v,
      double beta1Power,
      double beta2Power,
      double lr,
      double beta1,
      double beta2,
      double epsilon,
      Tensor grad) {
    if (sameF32(var, m, v, grad)) {
      double lrT = lr * Math.sqrt(1 - beta2Power) / (1 - beta1Power);
      SimdOptimizer.adam(var, m, v, lrT, beta1, beta2, epsilon, grad, threads);
      return;
    }
    super.applyAdam(var, m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad);
  }
}
