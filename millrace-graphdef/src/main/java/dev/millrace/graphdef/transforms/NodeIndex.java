package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A GraphDef's nodes by name and, for each node, the nodes that read it. */
final class NodeIndex {
  private final Map<String, NodeDef> byName = new LinkedHashMap<>();
  private final Map<String, List<NodeDef>> consumers = new HashMap<>();

  NodeIndex(GraphDef graph) {
    for (NodeDef n : graph.getNodeList()) {
      byName.put(n.getName(), n);
    }
    for (NodeDef n : graph.getNodeList()) {
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(GraphNames.nodeOf(in), k -> new ArrayList<>()).add(n);
      }
    }
  }

  Optional<NodeDef> node(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The node an input names (without its output index or control mark). */
  Optional<NodeDef> producer(String input) {
    return node(GraphNames.nodeOf(input));
  }

  /** Nodes that read {@code name}, each once per input that names it. */
  List<NodeDef> consumers(String name) {
    return consumers.getOrDefault(name, List.of());
  }

  /** Whether output 0 of {@code name} is all anything reads, and exactly one node reads it. */
  boolean hasSingleConsumer(String name) {
    List<NodeDef> c = consumers(name);
    return c.size() == 1;
  }

  /**
   * Whether some node reads an output of {@code name} other than output 0 (a batch norm's
   * statistics, say): such a node cannot be replaced by a one-output node.
   */
  boolean readsOtherOutputs(String name) {
    for (NodeDef c : consumers(name)) {
      for (String in : c.getInputList()) {
        if (!GraphNames.isControl(in)
            && GraphNames.nodeOf(in).equals(name)
            && GraphNames.outputOf(in) != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The data inputs of {@code n} (control inputs left out). */
  static List<String> dataInputs(NodeDef n) {
    return n.getInputList().stream().filter(i -> !GraphNames.isControl(i)).toList();
  }
}
