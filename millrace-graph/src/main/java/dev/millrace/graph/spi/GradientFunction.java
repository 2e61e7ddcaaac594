package dev.millrace.graph.spi;

import dev.millrace.graph.Output;
import java.util.List;

/**
 * Adds the operations that compute an op's input gradients from its output gradients (reverse-mode
 * autodiff). Returns one entry per input: the gradient (same type and shape as the input), or null
 * where none flows (integer inputs, shapes, labels).
 */
@FunctionalInterface
public interface GradientFunction {
  List<Output<?>> apply(GradientContext c);
}
