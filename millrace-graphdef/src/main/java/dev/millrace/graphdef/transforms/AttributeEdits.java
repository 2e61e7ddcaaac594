package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.function.UnaryOperator;

/**
 * The transforms that edit node attributes and devices one node at a time: {@code
 * remove_attribute(attribute_name=..., op_name=*)}, {@code rename_attribute(old_attribute_name=...,
 * new_attribute_name=..., op_name=*)} and {@code set_device(device=..., if_default=false)}. {@code
 * op_name} limits an edit to one op type ({@code *}, the default, is every type).
 */
final class AttributeEdits {
  private AttributeEdits() {}

  static final GraphTransform REMOVE_ATTRIBUTE =
      (graph, context) -> {
        String attr = required(context, "attribute_name");
        String op = context.param("op_name", "*");
        return eachNode(graph, op, n -> n.toBuilder().removeAttr(attr).build());
      };

  static final GraphTransform RENAME_ATTRIBUTE =
      (graph, context) -> {
        String from = required(context, "old_attribute_name");
        String to = required(context, "new_attribute_name");
        String op = context.param("op_name", "*");
        return eachNode(
            graph,
            op,
            n -> {
              if (!n.containsAttr(from)) {
                return n;
              }
              AttrValue v = n.getAttrOrThrow(from);
              return n.toBuilder().removeAttr(from).putAttr(to, v).build();
            });
      };

  static final GraphTransform SET_DEVICE =
      (graph, context) -> {
        String device = context.param("device", "");
        boolean ifDefault = Boolean.parseBoolean(context.param("if_default", "false"));
        return eachNode(
            graph,
            "*",
            n ->
                ifDefault && !n.getDevice().isEmpty()
                    ? n
                    : n.toBuilder().setDevice(device).build());
      };

  private static String required(TransformContext context, String key) {
    return context
        .spec()
        .value(key)
        .orElseThrow(
            () -> new IllegalArgumentException(context.spec().name() + " needs " + key + "=..."));
  }

  private static GraphDef eachNode(GraphDef graph, String op, UnaryOperator<NodeDef> edit) {
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      b.addNode(op.equals("*") || op.equals(n.getOp()) ? edit.apply(n) : n);
    }
    return b.build();
  }
}
