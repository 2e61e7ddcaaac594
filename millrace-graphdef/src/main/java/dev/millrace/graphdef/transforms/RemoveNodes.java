package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code remove_nodes(op=..., max_inputs=1)}: removes every node of the given op types that passes
 * its first data input through (Identity, CheckNumerics, StopGradient, ...), wiring its readers to
 * that input; readers that depended on it by control depend on its input's node instead, and on its
 * own control inputs. Nodes with more data inputs than {@code max_inputs}, nodes whose other
 * outputs are read, and the graph's named inputs and outputs stay.
 */
final class RemoveNodes implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    Set<String> ops = Set.copyOf(context.spec().values("op"));
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("remove_nodes needs at least one op=TYPE");
    }
    long maxInputs = context.longParam("max_inputs", 1);
    Set<String> protectedNodes = context.protectedNodes();
    GraphDef g = graph;
    boolean changed = true;
    while (changed) {
      changed = false;
      NodeIndex index = new NodeIndex(g);
      for (NodeDef n : g.getNodeList()) {
        List<String> data = NodeIndex.dataInputs(n);
        if (ops.contains(n.getOp())
            && !protectedNodes.contains(n.getName())
            && !data.isEmpty()
            && data.size() <= maxInputs
            && !index.readsOtherOutputs(n.getName())) {
          g = bypass(g, n, data.getFirst());
          changed = true;
          break;
        }
      }
    }
    return g;
  }

  private static GraphDef bypass(GraphDef g, NodeDef removed, String forwarded) {
    String name = removed.getName();
    List<String> extraControls =
        removed.getInputList().stream().filter(GraphNames::isControl).toList();
    GraphDef.Builder b = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      if (n.getName().equals(name)) {
        continue;
      }
      boolean readsIt = n.getInputList().stream().anyMatch(i -> GraphNames.nodeOf(i).equals(name));
      if (!readsIt) {
        b.addNode(n);
        continue;
      }
      List<String> data = new ArrayList<>();
      Set<String> controls = new LinkedHashSet<>();
      for (String in : n.getInputList()) {
        if (GraphNames.isControl(in)) {
          if (GraphNames.nodeOf(in).equals(name)) {
            controls.add("^" + GraphNames.nodeOf(forwarded));
            controls.addAll(extraControls);
          } else {
            controls.add(in);
          }
        } else if (GraphNames.nodeOf(in).equals(name)) {
          data.add(forwarded);
          controls.addAll(extraControls);
        } else {
          data.add(in);
        }
      }
      b.addNode(n.toBuilder().clearInput().addAllInput(data).addAllInput(controls));
    }
    return b.build();
  }
}
