package dev.millrace.graphdef.transforms;

import dev.millrace.graph.spi.AttrDef;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graphdef.GraphExporter;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.Optional;

/**
 * {@code add_default_attributes}: every attribute an op's definition gives a default and the node
 * leaves out is written into the node, as newer TensorFlow versions expect of graphs written before
 * an attribute was added. Nodes of op types the registry does not know are left as they are.
 */
final class AddDefaultAttributes implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      Optional<OpDef> def = context.registry().lookup(GraphImporter.runAs(n.getOp()));
      if (def.isEmpty()) {
        b.addNode(n);
        continue;
      }
      NodeDef.Builder nb = n.toBuilder();
      for (AttrDef a : def.get().attrs().values()) {
        if (!n.containsAttr(a.name()) && a.defaultValue() != null) {
          nb.putAttr(a.name(), GraphExporter.convert(a.defaultValue()));
        }
      }
      b.addNode(nb);
    }
    return b.build();
  }
}
