package dev.millrace.graphdef.transforms;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.GraphOrder;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code fold_constants(exclude_op=..., max_constant_size_in_bytes=10485760)}: every node whose
 * inputs are all constant (directly or through other such nodes) is computed once, by Millrace's
 * engine, and the nodes a non-constant node reads become Const nodes of the same name; the constant
 * nodes nothing reads any more are removed. Stateful ops, feeds, variables, the graph's named
 * inputs, excluded op types and results above the size limit are never folded.
 */
final class FoldConstants implements GraphTransform {
  static final long DEFAULT_MAX_BYTES = 10L << 20;

  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    OpRegistry registry = context.registry();
    Set<String> exclude = Set.copyOf(context.spec().values("exclude_op"));
    long maxBytes = context.longParam("max_constant_size_in_bytes", DEFAULT_MAX_BYTES);
    List<NodeDef> order;
    try {
      order = GraphOrder.topological(graph, "the graph");
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    Set<String> constant = new HashSet<>();
    Set<String> foldable = new HashSet<>();
    for (NodeDef n : order) {
      if (n.getOp().equals("Const")) {
        constant.add(n.getName());
        continue;
      }
      String type = GraphImporter.runAs(n.getOp());
      boolean candidate =
          registry.lookup(type).isPresent()
              && !registry.hasTrait(type, OpTrait.STATEFUL)
              && !registry.hasTrait(type, OpTrait.FEED)
              && !registry.hasTrait(type, OpTrait.VARIABLE)
              && !exclude.contains(n.getOp())
              && !context.inputs().contains(n.getName())
              && !n.getInputList().isEmpty()
              && n.getInputList().stream().allMatch(i -> constant.contains(GraphNames.nodeOf(i)));
      if (candidate) {
        constant.add(n.getName());
        foldable.add(n.getName());
      }
    }
    // The folded values that matter: those a non-constant node (or an output) reads.
    NodeIndex index = new NodeIndex(graph);
    List<String> frontier = new ArrayList<>();
    for (String name : foldable) {
      boolean needed =
          context.outputs().contains(name)
              || index.consumers(name).stream().anyMatch(c -> !constant.contains(c.getName()));
      if (needed && !index.readsOtherOutputs(name)) {
        frontier.add(name);
      }
    }
    if (frontier.isEmpty()) {
      return graph;
    }
    frontier.sort(null);
    List<Tensor> values = evaluate(graph, constant, frontier, context);
    GraphEdit edit = new GraphEdit(graph);
    for (int i = 0; i < frontier.size(); i++) {
      Tensor v = values.get(i);
      long bytes = v.dtype() == DType.STRING ? 0 : v.size() * v.dtype().byteSize();
      if (bytes <= maxBytes) {
        NodeDef old = index.node(frontier.get(i)).orElseThrow();
        edit.replace(old.getName(), Weights.constNode(old.getName(), v, old.getDevice()));
      }
    }
    Set<String> readBefore = new HashSet<>();
    for (NodeDef n : graph.getNodeList()) {
      if (!index.consumers(n.getName()).isEmpty()) {
        readBefore.add(n.getName());
      }
    }
    return removeUnread(edit.result(), constant, readBefore, context);
  }

  private static List<Tensor> evaluate(
      GraphDef graph, Set<String> constant, List<String> fetches, TransformContext context) {
    GraphDef.Builder sub = graph.toBuilder().clearNode().clearLibrary();
    for (NodeDef n : graph.getNodeList()) {
      if (constant.contains(n.getName())) {
        sub.addNode(n);
      }
    }
    try (Graph g = new GraphImporter(context.registry()).importGraph(sub.build(), "the graph");
        Session s = new Session(g)) {
      Session.Runner r = s.runner();
      fetches.forEach(f -> r.fetch(f + ":0"));
      List<Tensor> out = new ArrayList<>();
      try (Session.Result result = r.run()) {
        for (int i = 0; i < fetches.size(); i++) {
          out.add(result.get(i).copy());
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "evaluating the constant nodes failed: " + e.getMessage(), e);
    }
  }

  /**
   * Removes the constant nodes that were read before the folding and are not any more (never an
   * output); nodes nothing read to begin with are not this transform's to remove.
   */
  private static GraphDef removeUnread(
      GraphDef g, Set<String> constant, Set<String> readBefore, TransformContext context) {
    boolean changed = true;
    while (changed) {
      changed = false;
      NodeIndex index = new NodeIndex(g);
      GraphEdit edit = new GraphEdit(g);
      for (NodeDef n : g.getNodeList()) {
        if (constant.contains(n.getName())
            && readBefore.contains(n.getName())
            && index.consumers(n.getName()).isEmpty()
            && !context.protectedNodes().contains(n.getName())) {
          edit.remove(n.getName());
          changed = true;
        }
      }
      g = edit.result();
    }
    return g;
  }
}
