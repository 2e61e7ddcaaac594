package dev.millrace.graph.spi;

import dev.millrace.tensor.Tensor;

/** A variable's storage in a session, as seen by a kernel with a ref input. */
public interface VariableSlot {
  /** The variable op's name. */
  String name();

  /** The current value (updated in place by Apply* kernels), or null before initialisation. */
  Tensor value();

  /** Replaces the value; the slot takes ownership of {@code value}. */
  void assign(Tensor value);
}
