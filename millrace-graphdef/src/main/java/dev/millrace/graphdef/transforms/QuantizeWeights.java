package dev.millrace.graphdef.transforms;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.Optional;

/**
 * {@code quantize_weights(minimum_size=1024)}: every float Const of at least {@code minimum_size}
 * values becomes eight-bit codes (a quint8 Const {@code NAME_quantized_const}), the float range
 * they span ({@code NAME_quantized_min}, {@code NAME_quantized_max}) and a {@code Dequantize} of
 * mode {@code MIN_FIRST} under the original name, as TensorFlow's tool writes them: the file
 * shrinks to about a quarter and the graph still computes in float. The range always includes 0
 * (some quantized ops need it); a constant tensor gets a range of non-zero width.
 */
final class QuantizeWeights implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    long minimumSize = context.longParam("minimum_size", 1024);
    GraphEdit edit = new GraphEdit(graph);
    for (NodeDef n : graph.getNodeList()) {
      Optional<Tensor> value = Weights.floatConst(Optional.of(n));
      if (value.isEmpty() || value.get().size() < minimumSize) {
        continue;
      }
      float[] v = value.get().toFloatArray();
      float min = 0;
      float max = 0;
      for (float x : v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      if (min == max) {
        max = min + 1f; // all zeros: any width will do
      }
      byte[] codes = quantize(v, min, max);
      String name = n.getName();
      NodeDef codesNode =
          NodeDef.newBuilder()
              .setName(name + "_quantized_const")
              .setOp("Const")
              .setDevice(n.getDevice())
              .putAttr("dtype", type(DataType.DT_QUINT8))
              .putAttr(
                  "value",
                  AttrValue.newBuilder()
                      .setTensor(
                          TensorProto.newBuilder()
                              .setDtype(DataType.DT_QUINT8)
                              .setTensorShape(TensorValues.shapeProto(value.get().shape()))
                              .setTensorContent(ByteString.copyFrom(codes)))
                      .build())
              .build();
      NodeDef minNode =
          Weights.constNode(name + "_quantized_min", Tensor.scalar(min), n.getDevice());
      NodeDef maxNode =
          Weights.constNode(name + "_quantized_max", Tensor.scalar(max), n.getDevice());
      NodeDef dequantize =
          NodeDef.newBuilder()
              .setName(name)
              .setOp("Dequantize")
              .setDevice(n.getDevice())
              .addInput(codesNode.getName())
              .addInput(minNode.getName())
              .addInput(maxNode.getName())
              .putAttr("T", type(DataType.DT_QUINT8))
              .putAttr(
                  "mode", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("MIN_FIRST")).build())
              .build();
      edit.replace(name, codesNode, minNode, maxNode, dequantize);
    }
    return edit.result();
  }

  /**
   * TensorFlow's {@code FloatToQuantized} for quint8: {@code round(v · s) - round(min · s)} with
   * {@code s = 255 / (max - min)}, halves away from zero, clamped to [0, 255].
   */
  static byte[] quantize(float[] v, float min, float max) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) QuantizedRange.toCode(v[i], min, max, DType.QUINT8);
    }
    return out;
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }
}
