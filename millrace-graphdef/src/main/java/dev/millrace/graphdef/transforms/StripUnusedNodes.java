package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorShapeProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code strip_unused_nodes(type=float, shape="1,224,224,3", name=..., type_for_name=...,
 * shape_for_name=...)}: keeps only the nodes the outputs need, walking back from them and stopping
 * at the inputs. An input that is not a Placeholder (a decoding op, say) becomes one, of {@code
 * type} (default float) and {@code shape} (default unknown), or of the type and shape given for its
 * name.
 */
final class StripUnusedNodes implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    if (context.outputs().isEmpty()) {
      throw new IllegalArgumentException("strip_unused_nodes needs --outputs");
    }
    NodeIndex index = new NodeIndex(graph);
    Set<String> inputs = Set.copyOf(context.inputs());
    Set<String> keep = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String out : context.outputs()) {
      if (index.node(out).isEmpty()) {
        throw new IllegalArgumentException("output '" + out + "' is not a node of the graph");
      }
      todo.add(out);
    }
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!keep.add(name) || inputs.contains(name)) {
        continue;
      }
      for (String in : index.node(name).orElseThrow().getInputList()) {
        todo.add(GraphNames.nodeOf(in));
      }
    }
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      if (!keep.contains(n.getName())) {
        continue;
      }
      if (inputs.contains(n.getName()) && !n.getOp().equals("Placeholder")) {
        b.addNode(placeholder(n, context));
      } else {
        b.addNode(n);
      }
    }
    return b.build();
  }

  private static NodeDef placeholder(NodeDef n, TransformContext context) {
    List<String> names = context.spec().values("name");
    int i = names.indexOf(n.getName());
    String type = pick(context.spec().values("type_for_name"), i, context.param("type", "float"));
    String shape = pick(context.spec().values("shape_for_name"), i, context.param("shape", null));
    NodeDef.Builder p =
        NodeDef.newBuilder()
            .setName(n.getName())
            .setOp("Placeholder")
            .setDevice(n.getDevice())
            .putAttr("dtype", AttrValue.newBuilder().setType(dataType(type)).build());
    p.putAttr(
        "shape",
        AttrValue.newBuilder()
            .setShape(
                shape == null
                    ? TensorShapeProto.newBuilder().setUnknownRank(true).build()
                    : shape(shape))
            .build());
    return p.build();
  }

  private static String pick(List<String> values, int i, String fallback) {
    return i >= 0 && i < values.size() ? values.get(i) : fallback;
  }

  /** {@code float}, {@code int32}, {@code uint8}, ... as TensorFlow names them. */
  static DataType dataType(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    try {
      return DataType.valueOf(n.startsWith("DT_") ? n : "DT_" + n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown type '" + name + "' (e.g. float, int32, uint8)");
    }
  }

  /** {@code 1,224,224,3}; -1 for an unknown dimension. */
  static TensorShapeProto shape(String text) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (String d : text.split(",")) {
      try {
        b.addDim(TensorShapeProto.Dim.newBuilder().setSize(Long.parseLong(d.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("shape '" + text + "' must be sizes like 1,224,224,3");
      }
    }
    return b.build();
  }
}
