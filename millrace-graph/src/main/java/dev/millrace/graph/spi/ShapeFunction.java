package dev.millrace.graph.spi;

import dev.millrace.tensor.Shape;
import java.util.List;

/**
 * Computes an op's output shapes at construction time, so that shape errors appear where the graph
 * is built. It is called only when every input's rank is known (otherwise the outputs get unknown
 * rank); it returns one shape per output, null for an unknown rank, -1 for an unknown dimension,
 * and throws {@link ShapeContext#error} naming both shapes when the inputs do not fit.
 */
@FunctionalInterface
public interface ShapeFunction {
  List<Shape> infer(ShapeContext c);
}
