package dev.millrace.graphdef.transforms;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The transforms of {@code millrace transform-graph}, by the names TensorFlow's {@code
 * transform_graph} gives them, and the loop that applies a {@code --transforms} list: each step in
 * order, its error kept or (with {@code ignore_errors=true}) reported and skipped, the function
 * library carried over untouched, and the graph checked after every step for inputs that name no
 * node.
 */
public final class GraphTransforms {
  private static final Map<String, GraphTransform> BY_NAME = new TreeMap<>();

  static {
    BY_NAME.put("add_default_attributes", new AddDefaultAttributes());
    BY_NAME.put("fold_batch_norms", new FoldBatchNorms());
    BY_NAME.put("fold_constants", new FoldConstants());
    BY_NAME.put("fold_old_batch_norms", new FoldOldBatchNorms());
    BY_NAME.put("merge_duplicate_nodes", new MergeDuplicateNodes());
    BY_NAME.put("quantize_nodes", new QuantizeNodes());
    BY_NAME.put("quantize_weights", new QuantizeWeights());
    BY_NAME.put("remove_attribute", AttributeEdits.REMOVE_ATTRIBUTE);
    BY_NAME.put("remove_nodes", new RemoveNodes());
    BY_NAME.put("rename_attribute", AttributeEdits.RENAME_ATTRIBUTE);
    BY_NAME.put("round_weights", new RoundWeights());
    BY_NAME.put("set_data_format", new SetDataFormat());
    BY_NAME.put("set_device", AttributeEdits.SET_DEVICE);
    BY_NAME.put("sort_by_execution_order", new SortByExecutionOrder());
    BY_NAME.put("strip_unused_nodes", new StripUnusedNodes());
  }

  private GraphTransforms() {}

  /** The names of the transforms there are. */
  public static Set<String> names() {
    return BY_NAME.keySet();
  }

  /**
   * Applies {@code steps} to {@code graph} in order.
   *
   * @param log told "Applying NAME" before each step, and of each error ignored
   * @throws IllegalArgumentException naming the step that failed and why
   */
  public static GraphDef apply(
      GraphDef graph,
      List<String> inputs,
      List<String> outputs,
      List<TransformSpec> steps,
      OpRegistry registry,
      Consumer<String> log) {
    for (TransformSpec step : steps) {
      if (!BY_NAME.containsKey(step.name())) {
        throw new IllegalArgumentException(
            "transform '" + step.name() + "' is not one of " + String.join(", ", names()));
      }
    }
    GraphDef g = graph;
    for (TransformSpec step : steps) {
      log.accept("Applying " + step.name());
      TransformContext context = new TransformContext(inputs, outputs, step, registry);
      boolean ignore = step.ignoreErrors();
      GraphDef next;
      try {
        next = BY_NAME.get(step.name()).apply(g, context);
      } catch (IllegalArgumentException e) {
        if (!ignore) {
          throw new IllegalArgumentException(step.name() + ": " + e.getMessage(), e);
        }
        log.accept(step.name() + ": ignoring error " + e.getMessage());
        next = g;
      }
      if (graph.hasLibrary()) {
        next = next.toBuilder().setLibrary(graph.getLibrary()).build();
      }
      checkInputs(next, step.name());
      g = next;
    }
    return g;
  }

  private static void checkInputs(GraphDef g, String step) {
    Set<String> names = new HashSet<>();
    for (NodeDef n : g.getNodeList()) {
      names.add(n.getName());
    }
    for (NodeDef n : g.getNodeList()) {
      for (String in : n.getInputList()) {
        if (!names.contains(GraphNames.nodeOf(in))) {
          throw new IllegalArgumentException(
              step
                  + " left node '"
                  + n.getName()
                  + "' reading '"
                  + in
                  + "', which is not in the graph any more (is it one of --inputs?)");
        }
      }
    }
  }
}
