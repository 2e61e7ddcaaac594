package dev.millrace.graph.spi;

import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;

/** What a gradient function sees: the forward operation and the gradients of its outputs. */
public interface GradientContext {
  /** The forward operation. */
  Operation op();

  /** An {@link Ops} that adds the gradient operations under a {@code gradients/...} scope. */
  Ops ops();

  Output<?> input(int i);

  Output<?> output(int i);

  /** The gradient of the loss with respect to output {@code i}, or null if none flows there. */
  Output<?> grad(int i);
}
