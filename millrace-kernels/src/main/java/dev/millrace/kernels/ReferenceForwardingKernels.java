package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Kernels that run every op on the {@link ReferenceKernels}: the base of {@link FastKernels}, which
 * overrides the ops it has a fast version of and calls these for the cases it leaves (other types,
 * unusual arguments), so that no op is forwarded by hand and the reference's argument checks and
 * messages stay the only ones.
 */
abstract class ReferenceForwardingKernels implements Kernels {
  private final ReferenceKernels reference = new ReferenceKernels();

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    return reference.unary(op, x);
  }

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    return reference.binary(op, a, b);
  }

  @Override
  public Tensor sumToShape(Tensor grad, Shape shape) {
    return reference.sumToShape(grad, shape);
  }

  @Override
  public Tensor reluGrad(Tensor grad, Tensor x) {
    return reference.reluGrad(grad, x);
  }

  @Override
  public Tensor relu6Grad(Tensor grad, Tensor x) {
    return reference.relu6Grad(grad, x);
  }

  @Override
  public Tensor sigmoidGrad(Tensor y, Tensor grad) {
    return reference.sigmoidGrad(y, grad);
  }

  @Override
  public Tensor tanhGrad(Tensor y, Tensor grad) {
    return reference.tanhGrad(y, grad);
  }

  @Override
  public Tensor equal(Tensor a, Tensor b) {
    return reference.equal(a, b);
  }

  @Override
  public Tensor cast(Tensor x, DType to) {
    return reference.cast(x, to);
  }

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    return reference.matmul(a, b, transposeA, transposeB);
  }

  @Override
  public Tensor biasAdd(Tensor x, Tensor bias, DataFormat format) {
    return reference.biasAdd(x, bias, format);
  }

  @Override
  public Tensor biasAddGrad(Tensor grad, DataFormat format) {
    return reference.biasAddGrad(grad, format);
  }

  @Override
  public Tensor conv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    return reference.conv2d(input, filter, spec);
  }

  @Override
  public Tensor conv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    return reference.conv2dBackpropInput(inputShape, filter, outputGrad, spec);
  }

  @Override
  public Tensor conv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    return reference.conv2dBackpropFilter(input, filterShape, outputGrad, spec);
  }

  @Override
  public Tensor depthwiseConv2d(Tensor input, Tensor filter, Conv2dSpec spec) {
    return reference.depthwiseConv2d(input, filter, spec);
  }

  @Override
  public Tensor depthwiseConv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec) {
    return reference.depthwiseConv2dBackpropInput(inputShape, filter, outputGrad, spec);
  }

  @Override
  public Tensor depthwiseConv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec) {
    return reference.depthwiseConv2dBackpropFilter(input, filterShape, outputGrad, spec);
  }

  @Override
  public Tensor maxPool(Tensor x, PoolSpec spec) {
    return reference.maxPool(x, spec);
  }

  @Override
  public Tensor maxPoolGrad(Tensor x, Tensor outputGrad, PoolSpec spec) {
    return reference.maxPoolGrad(x, outputGrad, spec);
  }

  @Override
  public Tensor avgPool(Tensor x, PoolSpec spec) {
    return reference.avgPool(x, spec);
  }

  @Override
  public Tensor avgPoolGrad(Shape inputShape, Tensor outputGrad, PoolSpec spec) {
    return reference.avgPoolGrad(inputShape, outputGrad, spec);
  }

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
    return reference.fusedBatchNorm(x, scale, offset, mean, variance, epsilon, format, training);
  }

  @Override
  public BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      Tensor scale,
      Tensor savedMean,
      Tensor savedInvStd,
      DataFormat format) {
    return reference.fusedBatchNormGrad(outputGrad, x, scale, savedMean, savedInvStd, format);
  }

  @Override
  public Tensor softmax(Tensor logits) {
    return reference.softmax(logits);
  }

  @Override
  public Tensor logSoftmax(Tensor logits) {
    return reference.logSoftmax(logits);
  }

  @Override
  public CrossEntropyResult sparseSoftmaxCrossEntropy(Tensor logits, Tensor labels) {
    return reference.sparseSoftmaxCrossEntropy(logits, labels);
  }

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
    return reference.reduce(op, x, axes, keepDims);
  }

  @Override
  public Tensor argmax(Tensor x, int axis) {
    return reference.argmax(x, axis);
  }

  @Override
  public Tensor transpose(Tensor x, int[] perm) {
    return reference.transpose(x, perm);
  }

  @Override
  public Tensor concat(List<Tensor> parts, int axis) {
    return reference.concat(parts, axis);
  }

  @Override
  public Tensor pad(Tensor x, long[][] paddings, double value) {
    return reference.pad(x, paddings, value);
  }

  @Override
  public Tensor padGrad(Tensor grad, long[][] paddings) {
    return reference.padGrad(grad, paddings);
  }

  @Override
  public Tensor slice(Tensor x, long[] begin, long[] size) {
    return reference.slice(x, begin, size);
  }

  @Override
  public Tensor fill(DType dtype, Shape shape, double value) {
    return reference.fill(dtype, shape, value);
  }

  @Override
  public void applyGradientDescent(Tensor var, double lr, Tensor grad) {
    reference.applyGradientDescent(var, lr, grad);
  }

  @Override
  public void applyMomentum(
      Tensor var, Tensor accum, double lr, Tensor grad, double momentum, boolean nesterov) {
    reference.applyMomentum(var, accum, lr, grad, momentum, nesterov);
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
    reference.applyAdam(var, m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad);
  }

  @Override
  public Tensor quantizedMatMul(
      Tensor a, int aZero, boolean transposeA, Tensor b, int bZero, boolean transposeB) {
    return reference.quantizedMatMul(a, aZero, transposeA, b, bZero, transposeB);
  }

  @Override
  public Tensor quantizedConv2d(
      Tensor input, int inputZero, Tensor filter, int filterZero, Conv2dSpec spec) {
    return reference.quantizedConv2d(input, inputZero, filter, filterZero, spec);
  }

  @Override
  public Tensor quantizedConv2dRequantized(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization requantization) {
    return reference.quantizedConv2dRequantized(
        input, inputZero, filter, filterZero, spec, requantization);
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
    return reference.quantizedMatMulRequantized(
        a, aZero, transposeA, b, bZero, transposeB, requantization);
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
    return reference.quantizedMatMulDequantized(
        a, aZero, transposeA, b, bZero, transposeB, scale, offset);
  }
}
