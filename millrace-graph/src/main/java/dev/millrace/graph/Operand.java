package dev.millrace.graph;

import dev.millrace.graph.types.TType;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;

/**
 * Anything that stands for a tensor in a graph: an {@link Output}, a {@link Variable}, the result
 * of a multi-output op. {@link Ops} methods take operands.
 *
 * @param <T> the element type marker
 */
public interface Operand<T extends TType> {
  /** The output this operand stands for. */
  Output<T> asOutput();

  default DType dtype() {
    return asOutput().dtype();
  }

  /** The static shape; fails if even the rank is unknown. */
  default Shape shape() {
    return asOutput().shape();
  }

  default Operation op() {
    return asOutput().op();
  }
}
