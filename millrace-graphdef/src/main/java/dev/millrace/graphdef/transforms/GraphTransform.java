package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.proto.GraphDef;

/**
 * One rewrite of a GraphDef, as a {@code --transforms} step names it: a pure function from a graph
 * and its parameters to a new graph. A transform that cannot apply to the graph it is given throws
 * {@link IllegalArgumentException} with the reason; {@code ignore_errors=true} keeps the graph as
 * it was instead.
 */
public interface GraphTransform {
  GraphDef apply(GraphDef graph, TransformContext context);
}
