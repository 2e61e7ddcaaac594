package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Edits to a GraphDef collected while a transform looks at the original: nodes replaced (by
 * nothing, one node or several) in place, so the rest of the graph keeps its order.
 */
final class GraphEdit {
  private final GraphDef original;
  private final Map<String, List<NodeDef>> replacements = new HashMap<>();

  GraphEdit(GraphDef original) {
    this.original = original;
  }

  /** Puts {@code nodes} where {@code name} was. */
  void replace(String name, NodeDef... nodes) {
    replacements.put(name, List.of(nodes));
  }

  void remove(String name) {
    replacements.put(name, List.of());
  }

  boolean touched(String name) {
    return replacements.containsKey(name);
  }

  boolean isEmpty() {
    return replacements.isEmpty();
  }

  GraphDef result() {
    GraphDef.Builder b = original.toBuilder().clearNode();
    for (NodeDef n : original.getNodeList()) {
      List<NodeDef> r = replacements.get(n.getName());
      if (r == null) {
        b.addNode(n);
      } else {
        r.forEach(b::addNode);
      }
    }
    return b.build();
  }
}
