package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The CPU kernels behind the graph engine's ops, with TensorFlow's semantics (an op whose kernels
 * only the graph calls may instead bind its reference twin and fast version directly). Kernels
 * never modify their inputs and return new tensors (except the {@code apply*} optimizer updates,
 * which update a variable in place, as TensorFlow's Apply ops do).
 *
 * <p>Floating-point kernels accept FLOAT32 and FLOAT64 (the latter for finite-difference gradient
 * checks); arithmetic also accepts INT32 and INT64. A bad argument is an {@link
 * IllegalArgumentException} whose message states the shapes or types involved.
 *
 * <p>{@link ReferenceKernels} is the obviously-correct scalar implementation, the ground truth for
 * faster implementations, which are tested against it.
 */
public interface Kernels {

  // ---- threads ----

  /**
   * These kernels splitting their large calls over {@code threads} (the session's intra-op pool).
   * The default ignores the threads and returns {@code this}: such kernels run each call on the
   * calling thread, and callers may split the work themselves.
   */
  default Kernels withThreads(KernelThreads threads) {
    return this;
  }

  /**
   * True if these kernels split convolutions, MatMul and pooling over their own threads, so that a
   * caller should not cut those calls into pieces for parallelism.
   */
  default boolean splitsWork() {
    return false;
  }

  // ---- elementwise ----

  /** {@code op(x)} elementwise. */
  Tensor unary(UnaryOp op, Tensor x);

  /**
   * {@code op(a, b)} elementwise with broadcasting (NumPy rules); the result has the broadcast
   * shape.
   */
  Tensor binary(BinaryOp op, Tensor a, Tensor b);

  /**
   * Sums {@code grad} down to {@code shape} (the reverse of broadcasting {@code shape} to grad's
   * shape).
   */
  Tensor sumToShape(Tensor grad, Shape shape);

  /** ReluGrad: {@code grad} where {@code x > 0}, else 0. */
  Tensor reluGrad(Tensor grad, Tensor x);

  /** Relu6Grad: {@code grad} where {@code 0 < x < 6}, else 0. */
  Tensor relu6Grad(Tensor grad, Tensor x);

  /** SigmoidGrad from the op's output {@code y}: {@code grad * y * (1 - y)}. */
  Tensor sigmoidGrad(Tensor y, Tensor grad);

  /** TanhGrad from the op's output {@code y}: {@code grad * (1 - y^2)}. */
  Tensor tanhGrad(Tensor y, Tensor grad);

  /** Elementwise {@code a == b} with broadcasting; BOOL result. */
  Tensor equal(Tensor a, Tensor b);

  /** Elementwise conversion (float to int truncates toward zero; bool is 0 or 1). */
  Tensor cast(Tensor x, DType to);

  // ---- linear algebra and convolution ----

  /** {@code op(a) · op(b)} for rank-2 tensors, {@code op} being an optional transpose. */
  Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

  /** Adds the rank-1 {@code bias} along the channel axis of {@code x} (last in NHWC, 1 in NCHW). */
  Tensor biasAdd(Tensor x, Tensor bias, DataFormat format);

  /** Sum of {@code grad} over every axis but the channel axis: the gradient of BiasAdd's bias. */
  Tensor biasAddGrad(Tensor grad, DataFormat format);

  /** Conv2D: input in {@code spec.format()}, filter HWIO. */
  Tensor conv2d(Tensor input, Tensor filter, Conv2dSpec spec);

  /**
   * Conv2D followed by a per-output-channel scale, bias and activation ({@link ConvEpilogue}), as
   * one kernel: {@code act(conv2d(input, filter) * scale + bias)}. What a graph's Conv2D + BiasAdd
   * + Relu (or + inference-mode FusedBatchNorm) becomes after fusion. This default runs the unfused
   * chain of this interface's kernels; fast implementations apply it in the convolution's output
   * loop.
   */
  default Tensor fusedConv2d(Tensor input, Tensor filter, Conv2dSpec spec, ConvEpilogue epilogue) {
    Tensor y = conv2d(input, filter, spec);
    if (epilogue.scale() != null) {
      Tensor s = epilogue.scale();
      if (spec.format() == DataFormat.NCHW) {
        s = s.reshape(Shape.of(s.size(), 1, 1));
      }
      y = binary(BinaryOp.MUL, y, s);
    }
    if (epilogue.bias() != null) {
      y = biasAdd(y, epilogue.bias(), spec.format());
    }
    if (epilogue.activation() != UnaryOp.IDENTITY) {
      y = unary(epilogue.activation(), y);
    }
    return y;
  }

  /** Conv2DBackpropInput: gradient with respect to the input, of shape {@code inputShape}. */
  Tensor conv2dBackpropInput(Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec);

  /** Conv2DBackpropFilter: gradient with respect to the filter, of shape {@code filterShape}. */
  Tensor conv2dBackpropFilter(Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec);

  /**
   * DepthwiseConv2dNative: filter {@code [kh, kw, in, multiplier]}; output channel {@code c *
   * multiplier + m} convolves input channel {@code c} with filter slice {@code [:, :, c, m]}.
   */
  Tensor depthwiseConv2d(Tensor input, Tensor filter, Conv2dSpec spec);

  Tensor depthwiseConv2dBackpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec);

  Tensor depthwiseConv2dBackpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec);

  // ---- pooling ----

  Tensor maxPool(Tensor x, PoolSpec spec);

  /** MaxPoolGrad: routes each output gradient to the (first) maximum of its window. */
  Tensor maxPoolGrad(Tensor x, Tensor outputGrad, PoolSpec spec);

  /**
   * {@code reluGrad(maxPoolGrad(x, outputGrad, spec), x)}: the gradient of max pooling a ReLU's
   * output {@code x}, back through the ReLU, which is what {@code Relu → MaxPool} becomes after
   * fusion. This default runs the two ops; fast kernels do it in one pass.
   */
  default Tensor maxPoolGradOfRelu(Tensor x, Tensor outputGrad, PoolSpec spec) {
    return reluGrad(maxPoolGrad(x, outputGrad, spec), x);
  }

  Tensor avgPool(Tensor x, PoolSpec spec);

  /** AvgPoolGrad: spreads each output gradient evenly over its window's valid input pixels. */
  Tensor avgPoolGrad(Shape inputShape, Tensor outputGrad, PoolSpec spec);

  // ---- normalisation and losses ----

  /**
   * FusedBatchNormV3. Training: normalise with the batch's mean and biased variance; report the
   * unbiased variance in {@code batchVariance}. Inference: normalise with {@code mean} and {@code
   * variance} (which may be null in training). {@code y = scale * (x - m) / sqrt(v + eps) +
   * offset}.
   */
  FusedBatchNormResult fusedBatchNorm(
      Tensor x,
      Tensor scale,
      Tensor offset,
      Tensor mean,
      Tensor variance,
      double epsilon,
      DataFormat format,
      boolean training);

  /** FusedBatchNormGradV3 in training mode, from the saved mean and inverse standard deviation. */
  BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      Tensor scale,
      Tensor savedMean,
      Tensor savedInvStd,
      DataFormat format);

  /** Softmax over the last axis, computed stably (max subtracted). */
  Tensor softmax(Tensor logits);

  /** Log-softmax over the last axis, computed stably. */
  Tensor logSoftmax(Tensor logits);

  /**
   * SparseSoftmaxCrossEntropyWithLogits: {@code logits [batch, classes]}, integer {@code labels
   * [batch]} in {@code [0, classes)} (an out-of-range label is an IllegalArgumentException naming
   * it).
   */
  CrossEntropyResult sparseSoftmaxCrossEntropy(Tensor logits, Tensor labels);

  // ---- reductions and shape manipulation ----

  /** Reduces over {@code axes} (negative counts from the end; empty means all axes). */
  Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims);

  /** Index of the largest value along {@code axis} (the first on ties); INT64 result. */
  Tensor argmax(Tensor x, int axis);

  /** Output axis {@code i} is input axis {@code perm[i]}. */
  Tensor transpose(Tensor x, int[] perm);

  /** Joins tensors along {@code axis}; other dimensions must agree. */
  Tensor concat(List<Tensor> parts, int axis);

  /** Pads with {@code value}: {@code paddings[axis] = {before, after}}. */
  Tensor pad(Tensor x, long[][] paddings, double value);

  /** The gradient of Pad: the slice of {@code grad} that the unpadded input occupied. */
  Tensor padGrad(Tensor grad, long[][] paddings);

  /** Slice {@code [begin, begin + size)} per axis ({@code size -1} = to the end). */
  Tensor slice(Tensor x, long[] begin, long[] size);

  /** A tensor of {@code shape} whose every element is {@code value} (Fill). */
  Tensor fill(DType dtype, Shape shape, double value);

  // ---- optimizer updates (in place on the variable, as TensorFlow's Apply* ops) ----

  /** {@code var -= lr * grad}. */
  void applyGradientDescent(Tensor var, double lr, Tensor grad);

  /**
   * {@code accum = momentum * accum + grad}; {@code var -= lr * accum}, or with Nesterov {@code var
   * -= lr * (grad + momentum * accum)}.
   */
  void applyMomentum(
      Tensor var, Tensor accum, double lr, Tensor grad, double momentum, boolean nesterov);

  /**
   * Adam as TensorFlow's ApplyAdam: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; lr_t = lr *
   * sqrt(1 - b2^t) / (1 - b1^t); var -= lr_t * m / (sqrt(v) + eps)}, where {@code beta1Power =
   * b1^t}, {@code beta2Power = b2^t}.
   */
  void applyAdam(
      Tensor var,
      Tensor m,
      Tensor v,
      double beta1Power,
      double beta2Power,
      double lr,
      double beta1,
      double beta2,
      double epsilon,
      Tensor grad);

  // ---- eight-bit ----

  /**
   * The integer core of TensorFlow's QuantizedMatMul: {@code Σ_k (a[i,k] - aZero) · (b[k,j] -
   * bZero)}, summed in 32 bits, for QUINT8 matrices a ({@code [m, k]}, or {@code [k, m]} with
   * {@code transposeA}) and b ({@code [k, n]}, or {@code [n, k]}); {@code aZero} and {@code bZero}
   * are the codes that stand for 0.0. Returns a QINT32 {@code [m, n]}.
   */
  Tensor quantizedMatMul(
      Tensor a, int aZero, boolean transposeA, Tensor b, int bZero, boolean transposeB);

  /**
   * The integer core of TensorFlow's QuantizedConv2D: an NHWC QUINT8 input and an HWIO QUINT8
   * filter, each shifted by its zero code, products summed in 32 bits; padding reads as {@code
   * inputZero} (0.0). Returns a QINT32 NHWC tensor.
   */
  Tensor quantizedConv2d(
      Tensor input, int inputZero, Tensor filter, int filterZero, Conv2dSpec spec);

  /**
   * {@link #quantizedConv2d}, each sum then turned into its QUINT8 code by {@code requantization}:
   * the whole of a calibrated graph's {@code QuantizedConv2D → Requantize → ...} chain, or of
   * TensorFlow's fused QuantizedConv2DWithBiasAndReluAndRequantize. Returns a QUINT8 NHWC tensor,
   * {@code requantization.applyTo(quantizedConv2d(...))} exactly.
   */
  Tensor quantizedConv2dRequantized(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization requantization);

  /**
   * {@link #quantizedMatMul}, each sum of column {@code j} then turned into its QUINT8 code by
   * {@code requantization} (the columns are its channels): TensorFlow's
   * QuantizedMatMulWithBias[AndRelu]AndRequantize. Returns a QUINT8 {@code [m, n]}, {@code
   * requantization.applyTo(quantizedMatMul(...))} exactly.
   */
  Tensor quantizedMatMulRequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      Requantization requantization);

  /**
   * {@link #quantizedMatMul}, each sum of column {@code j} then the float {@code sum · scale[j] +
   * offset[j]}, one fused multiply-add: TensorFlow's QuantizedMatMulWithBiasAndDequantize. Returns
   * a FLOAT32 {@code [m, n]}.
   */
  Tensor quantizedMatMulDequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      float[] scale,
      float[] offset);
}
