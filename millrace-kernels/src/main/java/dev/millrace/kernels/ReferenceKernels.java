package dev.millrace.kernels;

import dev.millrace.kernels.internal.ConvKernels;
import dev.millrace.kernels.internal.ElementwiseKernels;
import dev.millrace.kernels.internal.LinearKernels;
import dev.millrace.kernels.internal.NormKernels;
import dev.millrace.kernels.internal.OptimizerKernels;
import dev.millrace.kernels.internal.PoolKernels;
import dev.millrace.kernels.internal.QuantizedKernels;
import dev.millrace.kernels.internal.ReduceKernels;
import dev.millrace.kernels.internal.ShapeKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The scalar reference kernels: straightforward loops, floating values computed in {@code double}
 * and stored in the input's type, integers in {@code long} wrapped to the type's width. They are
 * the ground truth that faster kernels are tested against, so clarity comes before speed. Stateless
 * and thread-safe.
 */
public final class ReferenceKernels implements Kernels {

  public ReferenceKernels() {}

  // ---- elementwise ----

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    return ElementwiseKernels.unary(op, x);
  }

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    return ElementwiseKernels.binary(op, a, b);
  }

  @Override
  public Tensor sumToShape(Tensor grad, Shape shape) {
    return ElementwiseKernels.sumToShape(grad, shape);
  }

  @Override
  public Tensor reluGrad(Tensor grad, Tensor x) {
    return ElementwiseKernels.gatedGrad("reluGrad", grad, x, 0, Double.POSITIVE_INFINITY);
  }

  @Override
  public Tensor relu6Grad(Tensor grad, Tensor x) {
    return ElementwiseKernels.gatedGrad("relu6Grad", grad, x, 0, 6);
  }

  @Override
  public Tensor sigmoidGrad(Tensor y, Tensor grad) {
    return ElementwiseKernels.outputGrad(y, grad, false);
  }

  @Override
  public Tensor tanhGrad(Tensor y, Tensor grad) {
    return ElementwiseKernels.outputGrad(y, grad, true);
  }

  @Override
  public Tensor equal(Tensor a, Tensor b) {
    return ElementwiseKernels.equal(a, b);
  }

  @Override
  public Tensor cast(Tensor x, DType to) {
    return ElementwiseKernels.cast(x, to);
  }

  // ---- linear algebra and convolution ----

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    return LinearKernels.matmul(a, b, transposeA, transposeB);
  }

  @Override
  public Tensor biasAdd(Tensor x, Tensor bias, DataFormat format) {
    return LinearKernels.biasAdd(x, bias, format);
  }

  @Override
  public Tensor biasAddGrad(Tensor grad, DataFormat format) {
    return LinearKernels.biasAddGrad(grad, format);
  }

  @Override
  public Tensor conv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    return ConvKernels.conv2d(input, filter, spec, false);
  }

  @Override
  public Tensor conv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    return ConvKernels.backpropInput(inputShape, filter, outputGrad, spec, false);
  }

  @Override
  public Tensor conv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    return ConvKernels.backpropFilter(input, filterShape, outputGrad, spec, false);
  }

  @Override
  public Tensor depthwiseConv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    return ConvKernels.conv2d(input, filter, spec, true);
  }

  @Override
  public Tensor depthwiseConv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    return ConvKernels.backpropInput(inputShape, filter, outputGrad, spec, true);
  }

  @Override
  public Tensor depthwiseConv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    return ConvKernels.backpropFilter(input, filterShape, outputGrad, spec, true);
  }

  // ---- pooling ----

  @Override
  public Tensor maxPool(Tensor x, PoolSpec spec) {
    return PoolKernels.maxPool(x, spec);
  }

  @Override
  public Tensor maxPoolGrad(Tensor x, Tensor outputGrad, PoolSpec spec) {
    return PoolKernels.maxPoolGrad(x, outputGrad, spec);
  }

  @Override
  public Tensor avgPool(Tensor x, PoolSpec spec) {
    return PoolKernels.avgPool(x, spec);
  }

  @Override
  public Tensor avgPoolGrad(Shape inputShape, Tensor outputGrad, PoolSpec spec) {
    return PoolKernels.avgPoolGrad(inputShape, outputGrad, spec);
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
    return NormKernels.fusedBatchNorm(x, scale, offset, mean, variance, epsilon, format, training);
  }

  @Override
  public BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      Tensor scale,
      Tensor savedMean,
      Tensor savedInvStd,
      DataFormat format) {
    return NormKernels.fusedBatchNormGrad(outputGrad, x, scale, savedMean, savedInvStd, format);
  }

  @Override
  public Tensor softmax(Tensor logits) {
    return NormKernels.softmax(logits, false);
  }

  @Override
  public Tensor logSoftmax(Tensor logits) {
    return NormKernels.softmax(logits, true);
  }

  @Override
  public CrossEntropyResult sparseSoftmaxCrossEntropy(Tensor logits, Tensor labels) {
    return NormKernels.sparseSoftmaxCrossEntropy(logits, labels);
  }

  // ---- reductions and shape manipulation ----

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
    return ReduceKernels.reduce(op, x, axes, keepDims);
  }

  @Override
  public Tensor argmax(Tensor x, int axis) {
    return ReduceKernels.argmax(x, axis);
  }

  @Override
  public Tensor transpose(Tensor x, int[] perm) {
    return ShapeKernels.transpose(x, perm);
  }

  @Override
  public Tensor concat(List<Tensor> parts, int axis) {
    return ShapeKernels.concat(parts, axis);
  }

  @Override
  public Tensor pad(Tensor x, long[][] paddings, double value) {
    return ShapeKernels.pad(x, paddings, value);
  }

  @Override
  public Tensor padGrad(Tensor grad, long[][] paddings) {
    return ShapeKernels.padGrad(grad, paddings);
  }

  @Override
  public Tensor slice(Tensor x, long[] begin, long[] size) {
    return ShapeKernels.slice(x, begin, size);
  }

  @Override
  public Tensor fill(DType dtype, Shape shape, double value) {
    return ShapeKernels.fill(dtype, shape, value);
  }

  // ---- optimizer updates ----

  @Override
  public void applyGradientDescent(Tensor var, double lr, Tensor grad) {
    OptimizerKernels.gradientDescent(var, lr, grad);
  }

  @Override
  public void applyMomentum(
      Tensor var, Tensor accum, double lr, Tensor grad, double momentum, boolean nesterov) {
    OptimizerKernels.momentum(var, accum, lr, grad, momentum, nesterov);
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
    OptimizerKernels.adam(var, m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad);
  }

  @Override
  public Tensor quantizedMatMul(
      Tensor a, int aZero, boolean transposeA, Tensor b, int bZero, boolean transposeB) {
    return QuantizedKernels.matMul(a, aZero, transposeA, b, bZero, transposeB);
  }

  @Override
  public Tensor quantizedConv2d(
      Tensor input, int inputZero, Tensor filter, int filterZero, Conv2dSpec spec) {
    return QuantizedKernels.conv2d(input, inputZero, filter, filterZero, spec);
  }

  @Override
  public Tensor quantizedConv2dRequantized(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization requantization) {
    return requantization.applyTo(quantizedConv2d(input, inputZero, filter, filterZero, spec));
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
    return requantization.applyTo(quantizedMatMul(a, aZero, transposeA, b, bZero, transposeB));
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
    return QuantizedKernels.dequantizeColumns(
        quantizedMatMul(a, aZero, transposeA, b, bZero, transposeB), scale, offset);
  }
}
