package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.Optional;

/** Float constants read from and written to Const nodes, for the folding transforms. */
final class Weights {
  private Weights() {}

  /** The float32 value of a Const node, or empty when the node is something else. */
  static Optional<Tensor> floatConst(Optional<NodeDef> node) {
    if (node.isEmpty()
        || !node.get().getOp().equals("Const")
        || !node.get().containsAttr("value")) {
      return Optional.empty();
    }
    var value = node.get().getAttrOrThrow("value").getTensor();
    if (value.getDtype() != DataType.DT_FLOAT) {
      return Optional.empty();
    }
    return Optional.of(TensorValues.toTensor(value));
  }

  /** A Const node named {@code name} holding {@code value}. */
  static NodeDef constNode(String name, Tensor value, String device) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .setDevice(device)
        .putAttr(
            "dtype", AttrValue.newBuilder().setType(TensorValues.dataType(value.dtype())).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorValues.toProto(value)).build())
        .build();
  }

  /**
   * {@code weights} with each output channel {@code c} multiplied by {@code scale[c]}. The output
   * channel is the last dimension (HWIO filters, MatMul's {@code [in, out]}), except for depthwise
   * filters {@code [h, w, in, multiplier]}, whose {@code in × multiplier} output channels are the
   * last two dimensions flattened, which is the same thing in memory.
   */
  static Tensor scaleOutputChannels(Tensor weights, float[] scale) {
    if (weights.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("weights are " + weights.dtype() + ", not float");
    }
    long channels = scale.length;
    if (weights.size() % channels != 0) {
      throw new IllegalArgumentException(
          "weights " + weights.shape() + " do not have " + channels + " output channels");
    }
    float[] w = weights.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      w[i] *= scale[(int) (i % channels)];
    }
    return Tensor.ofFloats(weights.shape(), w);
  }

  /** Output channels of a filter of {@code op}: the last dimension, or the last two (depthwise). */
  static long outputChannels(String op, Tensor weights) {
    int r = weights.shape().rank();
    if (op.equals("DepthwiseConv2dNative")) {
      if (r != 4) {
        throw new IllegalArgumentException("depthwise filter " + weights.shape() + " is not 4-D");
      }
      return weights.shape().dim(2) * weights.shape().dim(3);
    }
    if (r < 1) {
      throw new IllegalArgumentException("weights are a scalar");
    }
    return weights.shape().dim(r - 1);
  }

  /** A vector of {@code n} values: {@code t} itself, or a scalar repeated. */
  static float[] perChannel(Tensor t, long n, String what) {
    if (t.size() == 1) {
      float[] v = new float[(int) n];
      java.util.Arrays.fill(v, t.getFloat(0));
      return v;
    }
    if (t.size() != n) {
      throw new IllegalArgumentException(
          what + " has " + t.size() + " values for " + n + " output channels");
    }
    return t.toFloatArray();
  }
}
