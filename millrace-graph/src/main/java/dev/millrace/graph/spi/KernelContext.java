package dev.millrace.graph.spi;

import dev.millrace.graph.Operation;
import dev.millrace.kernels.Kernels;
import dev.millrace.tensor.Tensor;

/** What a kernel sees when it runs: its operation, input values, kernels and pools. */
public interface KernelContext {
  Operation op();

  /** The session's kernel implementation. */
  Kernels kernels();

  int numInputs();

  /** The value of input {@code i}; a kernel must not modify it. */
  Tensor input(int i);

  /** The variable behind ref input {@code i}. */
  VariableSlot variable(int i);

  /** The storage of this operation itself, when it is a variable ({@code VariableV2}). */
  VariableSlot ownVariable();

  /** The intra-op pool for splitting this kernel's work. */
  IntraOp intraOp();
}
