package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphOrder;
import dev.millrace.graphdef.proto.GraphDef;
import java.io.IOException;

/**
 * {@code sort_by_execution_order}: every node after its inputs, the file's order kept otherwise.
 */
final class SortByExecutionOrder implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    try {
      return graph.toBuilder()
          .clearNode()
          .addAllNode(GraphOrder.topological(graph, "the graph"))
          .build();
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
