package dev.millrace.graphdef.transforms;

import dev.millrace.graph.OpTrait;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code merge_duplicate_nodes}: nodes that compute the same thing — same op, same inputs in the
 * same order, same attributes (values of Consts included) and device — are merged into the first of
 * them, and the readers of the others read it instead; repeated until nothing changes, since a
 * merge can make the nodes that read the merged ones duplicates in turn. Stateful ops, feeds and
 * the graph's named inputs and outputs are never merged.
 */
final class MergeDuplicateNodes implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    GraphDef g = graph;
    while (true) {
      Map<NodeDef, String> first = new HashMap<>();
      Map<String, String> replaced = new HashMap<>();
      for (NodeDef n : g.getNodeList()) {
        String type = GraphImporter.runAs(n.getOp());
        if (context.protectedNodes().contains(n.getName())
            || n.getOp().equals("Placeholder")
            || context.registry().lookup(type).isEmpty()
            || context.registry().hasTrait(type, OpTrait.STATEFUL)
            || context.registry().hasTrait(type, OpTrait.VARIABLE)) {
          continue;
        }
        NodeDef key = n.toBuilder().setName("").build();
        String kept = first.putIfAbsent(key, n.getName());
        if (kept != null) {
          replaced.put(n.getName(), kept);
        }
      }
      if (replaced.isEmpty()) {
        return g;
      }
      g = rewire(g, replaced);
    }
  }

  private static GraphDef rewire(GraphDef g, Map<String, String> replaced) {
    GraphDef.Builder b = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      if (replaced.containsKey(n.getName())) {
        continue;
      }
      List<String> inputs = new ArrayList<>();
      for (String in : n.getInputList()) {
        String node = GraphNames.nodeOf(in);
        String to = replaced.get(node);
        inputs.add(to == null ? in : GraphNames.withNode(in, to));
      }
      b.addNode(n.toBuilder().clearInput().addAllInput(dedupeControls(inputs)));
    }
    return b.build();
  }

  /** A merge can leave a node with the same control input twice; once is enough. */
  private static List<String> dedupeControls(List<String> inputs) {
    List<String> out = new ArrayList<>();
    for (String in : inputs) {
      if (!GraphNames.isControl(in) || !out.contains(in)) {
        out.add(in);
      }
    }
    return out;
  }
}
