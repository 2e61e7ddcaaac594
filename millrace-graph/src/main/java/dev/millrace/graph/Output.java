package dev.millrace.graph;

import dev.millrace.graph.types.DataType;
import dev.millrace.graph.types.TType;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;

/**
 * Output {@code index} of an operation: a tensor edge of the graph, with the static type and shape
 * inferred when the operation was built. Equal when they name the same output.
 *
 * @param <T> the element type marker ({@code Float32}, ...)
 */
public final class Output<T extends TType> implements Operand<T> {
  private final Operation op;
  private final int index;

  Output(Operation op, int index) {
    this.op = op;
    this.index = index;
  }

  @Override
  public Operation op() {
    return op;
  }

  public int index() {
    return index;
  }

  @Override
  public DType dtype() {
    return op.outputType(index);
  }

  /** The static shape (-1 for unknown dimensions); fails if even the rank is unknown. */
  @Override
  public Shape shape() {
    return op.outputShape(index);
  }

  public boolean hasKnownRank() {
    return op.outputRankKnown(index);
  }

  /** TensorFlow's tensor name: {@code op_name:index}. */
  public String name() {
    return op.name() + ":" + index;
  }

  @Override
  public Output<T> asOutput() {
    return this;
  }

  /** This output typed as {@code type}; fails naming both types if it has another. */
  @SuppressWarnings("unchecked")
  public <U extends TType> Output<U> expect(DataType<U> type) {
    if (dtype() != type.dtype()) {
      throw new IllegalArgumentException(
          "output " + name() + " has type " + dtype() + ", expected " + type.dtype());
    }
    return (Output<U>) this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Output<?> other && other.op == op && other.index == index;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(op) * 31 + index;
  }

  @Override
  public String toString() {
    return "<"
        + name()
        + " "
        + dtype()
        + " "
        + (hasKnownRank() ? shape().toString() : "<unknown rank>")
        + ">";
  }
}
