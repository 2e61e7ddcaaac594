package dev.millrace.bench.tensorflow;

import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;

/** GraphDef nodes the TensorFlow comparison tests build their small graphs from. */
final class GraphDefNodes {
  private GraphDefNodes() {}

  /** A float32 scalar Const. */
  static NodeDef floatScalar(String name, float v) {
    return floatConst(name, TensorShapeProto.getDefaultInstance(), v);
  }

  /** A float32 vector Const. */
  static NodeDef floatVector(String name, float... v) {
    return floatConst(
        name,
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dim.newBuilder().setSize(v.length))
            .build(),
        v);
  }

  /** An int32 vector Const. */
  static NodeDef intVector(String name, int... v) {
    TensorProto.Builder p =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_INT32)
            .setTensorShape(
                TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(v.length)));
    for (int i : v) {
      p.addIntVal(i);
    }
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(p).build())
        .build();
  }

  private static NodeDef floatConst(String name, TensorShapeProto shape, float... v) {
    TensorProto.Builder p =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape);
    for (float f : v) {
      p.addFloatVal(f);
    }
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(p).build())
        .build();
  }
}
