package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Removes the nodes a rewrite left behind that nothing reads any more. */
final class UnreadNodes {
  private UnreadNodes() {}

  /**
   * {@code g} without those of {@code candidates} that no node reads, nor, in turn, the nodes only
   * they read; never a node of {@code kept} (the graph's inputs and outputs) or a Placeholder.
   */
  static GraphDef remove(GraphDef g, Set<String> candidates, Set<String> kept) {
    Set<String> pool = new HashSet<>(candidates);
    GraphDef current = g;
    while (true) {
      Set<String> read = new HashSet<>();
      for (NodeDef n : current.getNodeList()) {
        n.getInputList().forEach(in -> read.add(GraphNames.nodeOf(in)));
      }
      List<NodeDef> dead =
          current.getNodeList().stream()
              .filter(
                  n ->
                      pool.contains(n.getName())
                          && !read.contains(n.getName())
                          && !kept.contains(n.getName())
                          && !n.getOp().equals("Placeholder"))
              .toList();
      if (dead.isEmpty()) {
        return current;
      }
      Set<String> names = new HashSet<>();
      for (NodeDef d : dead) {
        names.add(d.getName());
        d.getInputList().forEach(in -> pool.add(GraphNames.nodeOf(in)));
      }
      GraphDef.Builder b = current.toBuilder().clearNode();
      current.getNodeList().stream().filter(n -> !names.contains(n.getName())).forEach(b::addNode);
      current = b.build();
    }
  }
}
