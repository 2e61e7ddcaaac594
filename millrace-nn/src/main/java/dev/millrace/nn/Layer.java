package dev.millrace.nn;

import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;

/**
 * One step of a model: operations that turn an activation into the next. A layer owns its
 * variables; applying it twice (once for training, once for evaluation) must reuse them, so a layer
 * creates its variables on the first {@link #apply} and only reads them after.
 */
public interface Layer {
  /** Adds this layer's operations for {@code input} in {@code mode} and returns its output. */
  Output<Float32> apply(Output<Float32> input, Mode mode);

  /** The layer's name, which is also its variables' name scope. */
  String name();
}
