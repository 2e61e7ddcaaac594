package dev.millrace.graph;

import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.types.TFloating;
import dev.millrace.graph.types.TInteger;
import dev.millrace.graph.types.TNumber;
import dev.millrace.graph.types.TType;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Neural-network operations ({@code tf.nn}): convolutions (filters HWIO in both data formats),
 * pooling, batch normalization (fused, and unfused as its elementary ops), activations, softmax and
 * cross-entropy.
 */
public final class NnOps {
  private final Ops tf;

  NnOps(Ops tf) {
    this.tf = tf;
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> Output<T> typed(Output<?> out) {
    return (Output<T>) out;
  }

  /** Conv2D with a square stride, no dilation, SAME or VALID padding. */
  @BuildsOp("Conv2D")
  public <T extends TFloating> Output<T> conv2d(
      Operand<T> input, Operand<T> filter, int stride, Padding padding, DataFormat format) {
    return conv2d(input, filter, Conv2dSpec.of(stride, padding, format));
  }

  /** Conv2D with strides, dilations and padding (explicit too) from {@code spec}. */
  @BuildsOp("Conv2D")
  public <T extends TFloating> Output<T> conv2d(
      Operand<T> input, Operand<T> filter, Conv2dSpec spec) {
    return typed(tf.op("Conv2D", List.of(input, filter), convAttrs(spec)).output(0));
  }

  /** DepthwiseConv2dNative: filter {@code [kh, kw, in, multiplier]}. */
  @BuildsOp("DepthwiseConv2dNative")
  public <T extends TFloating> Output<T> depthwiseConv2d(
      Operand<T> input, Operand<T> filter, int stride, Padding padding, DataFormat format) {
    return depthwiseConv2d(input, filter, Conv2dSpec.of(stride, padding, format));
  }

  @BuildsOp("DepthwiseConv2dNative")
  public <T extends TFloating> Output<T> depthwiseConv2d(
      Operand<T> input, Operand<T> filter, Conv2dSpec spec) {
    return typed(tf.op("DepthwiseConv2dNative", List.of(input, filter), convAttrs(spec)).output(0));
  }

  static Map<String, AttrValue> convAttrs(Conv2dSpec spec) {
    Map<String, AttrValue> a = new HashMap<>();
    a.put("strides", AttrValue.of(Specs.strides(spec)));
    a.put("dilations", AttrValue.of(Specs.dilations(spec)));
    a.put("padding", AttrValue.of(spec.padding().name()));
    a.put("explicit_paddings", AttrValue.of(Specs.explicitPaddings(spec)));
    a.put("data_format", AttrValue.of(spec.format().name()));
    return a;
  }

  /** Adds {@code bias} along the last (channel) axis. */
  @BuildsOp("BiasAdd")
  public <T extends TNumber> Output<T> biasAdd(Operand<T> value, Operand<T> bias) {
    return biasAdd(value, bias, DataFormat.NHWC);
  }

  /** Adds {@code bias} along the channel axis of {@code format}. */
  @BuildsOp("BiasAdd")
  public <T extends TNumber> Output<T> biasAdd(
      Operand<T> value, Operand<T> bias, DataFormat format) {
    return typed(
        tf.op("BiasAdd", List.of(value, bias), Map.of("data_format", AttrValue.of(format.name())))
            .output(0));
  }

  @BuildsOp("Relu")
  public <T extends TFloating> Output<T> relu(Operand<T> features) {
    return typed(tf.op("Relu", List.of(features), Map.of()).output(0));
  }

  /** {@code min(max(x, 0), 6)}. */
  @BuildsOp("Relu6")
  public <T extends TFloating> Output<T> relu6(Operand<T> features) {
    return typed(tf.op("Relu6", List.of(features), Map.of()).output(0));
  }

  /** {@code x} where {@code x >= 0}, {@code e^x - 1} below (TensorFlow's {@code tf.nn.elu}). */
  @BuildsOp("Elu")
  public <T extends TFloating> Output<T> elu(Operand<T> features) {
    return typed(tf.op("Elu", List.of(features), Map.of()).output(0));
  }

  @BuildsOp("Sigmoid")
  public <T extends TFloating> Output<T> sigmoid(Operand<T> x) {
    return tf.sigmoid(x);
  }

  @BuildsOp("Tanh")
  public <T extends TFloating> Output<T> tanh(Operand<T> x) {
    return tf.tanh(x);
  }

  /** Softmax over the last axis. */
  @BuildsOp("Softmax")
  public <T extends TFloating> Output<T> softmax(Operand<T> logits) {
    return typed(tf.op("Softmax", List.of(logits), Map.of()).output(0));
  }

  /** Log-softmax over the last axis. */
  @BuildsOp("LogSoftmax")
  public <T extends TFloating> Output<T> logSoftmax(Operand<T> logits) {
    return typed(tf.op("LogSoftmax", List.of(logits), Map.of()).output(0));
  }

  /**
   * Per-example loss {@code logsumexp(logits) - logits[label]} of {@code logits [batch, classes]}
   * and integer {@code labels [batch]}.
   */
  @BuildsOp("SparseSoftmaxCrossEntropyWithLogits")
  public <T extends TFloating> Output<T> sparseSoftmaxCrossEntropyWithLogits(
      Operand<T> logits, Operand<? extends TInteger> labels) {
    return typed(
        tf.op("SparseSoftmaxCrossEntropyWithLogits", List.of(logits, labels), Map.of()).output(0));
  }

  @BuildsOp("MaxPool")
  public <T extends TFloating> Output<T> maxPool(
      Operand<T> value, int window, int stride, Padding padding, DataFormat format) {
    return maxPool(value, PoolSpec.of(window, stride, padding, format));
  }

  @BuildsOp("MaxPool")
  public <T extends TFloating> Output<T> maxPool(Operand<T> value, PoolSpec spec) {
    return typed(tf.op("MaxPool", List.of(value), poolAttrs(spec)).output(0));
  }

  @BuildsOp("AvgPool")
  public <T extends TFloating> Output<T> avgPool(
      Operand<T> value, int window, int stride, Padding padding, DataFormat format) {
    return avgPool(value, PoolSpec.of(window, stride, padding, format));
  }

  /** Average pooling; a window's average counts only the input pixels inside it (as TensorFlow). */
  @BuildsOp("AvgPool")
  public <T extends TFloating> Output<T> avgPool(Operand<T> value, PoolSpec spec) {
    return typed(tf.op("AvgPool", List.of(value), poolAttrs(spec)).output(0));
  }

  static Map<String, AttrValue> poolAttrs(PoolSpec spec) {
    return Map.of(
        "ksize", AttrValue.of(Specs.inFormat(spec.format(), spec.windowH(), spec.windowW())),
        "strides", AttrValue.of(Specs.inFormat(spec.format(), spec.strideH(), spec.strideW())),
        "padding", AttrValue.of(spec.padding().name()),
        "data_format", AttrValue.of(spec.format().name()));
  }

  /**
   * FusedBatchNormV3. Training: normalises with the batch's statistics ({@code mean} and {@code
   * variance} are then ignored and may be null); the result's mean and variance are the batch mean
   * and unbiased variance. Inference: normalises with {@code mean} and {@code variance}.
   */
  @BuildsOp("FusedBatchNormV3")
  public <T extends TFloating> BatchNorm<T> fusedBatchNorm(
      Operand<T> x,
      Operand<T> scale,
      Operand<T> offset,
      Operand<T> mean,
      Operand<T> variance,
      double epsilon,
      DataFormat format,
      boolean training) {
    Operand<?> m = mean;
    Operand<?> v = variance;
    if (m == null || v == null) {
      if (!training) {
        throw new IllegalArgumentException(
            "FusedBatchNormV3: inference needs the mean and variance to normalise with");
      }
      // TensorFlow passes empty tensors for the statistics in training.
      Output<?> empty = tf.helper().constant(Tensor.zeros(x.dtype(), Shape.of(0)));
      m = m == null ? empty : m;
      v = v == null ? empty : v;
    }
    Operation op =
        tf.op(
            "FusedBatchNormV3",
            List.of(x, scale, offset, m, v),
            Map.of(
                "epsilon", AttrValue.of(epsilon),
                "data_format", AttrValue.of(format.name()),
                "is_training", AttrValue.of(training)));
    return new BatchNorm<>(typed(op.output(0)), typed(op.output(1)), typed(op.output(2)));
  }

  /**
   * Batch normalization written as its elementary operations (what the fused op replaces): {@code y
   * = (x - mean) * (scale * rsqrt(variance + epsilon)) + offset}, per channel. Training computes
   * the batch mean and (biased) variance with {@code Mean}, {@code Sub} and {@code Mul}; the
   * result's variance is that biased variance.
   */
  public <T extends TFloating> BatchNorm<T> batchNormUnfused(
      Operand<T> x,
      Operand<T> scale,
      Operand<T> offset,
      Operand<T> mean,
      Operand<T> variance,
      double epsilon,
      DataFormat format,
      boolean training) {
    Ops s = tf.withSubScope("batchnorm");
    int rank = x.shape().rank();
    int channelAxis = format == DataFormat.NHWC || rank < 3 ? rank - 1 : 1;
    long[] perChannel = new long[rank];
    int[] axes = new int[rank - 1];
    for (int i = 0, k = 0; i < rank; i++) {
      perChannel[i] = i == channelAxis ? -1 : 1;
      if (i != channelAxis) {
        axes[k++] = i;
      }
    }
    Output<T> m;
    Output<T> v;
    if (training) {
      m = s.mean(x, axes, true);
      Output<T> centred = s.sub(x, m);
      v = s.mean(s.mul(centred, centred), axes, true);
    } else {
      m = s.reshape(mean, perChannel);
      v = s.reshape(variance, perChannel);
    }
    Output<T> eps = typed(s.scalarRaw(x.dtype(), epsilon));
    Output<T> factor = s.mul(s.reshape(scale, perChannel), s.rsqrt(s.add(v, eps)));
    Output<T> y = s.add(s.mul(s.sub(x, m), factor), s.reshape(offset, perChannel));
    return new BatchNorm<>(y, s.reshape(m, -1), s.reshape(v, -1));
  }
}
