package dev.millrace.graph;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;

/**
 * Builds the graph of a variable's initial value; see {@link Initializers} for Glorot, He, zeros,
 * ones and constants. Seeded initializers give the same values for the same seed, shape and type.
 */
@FunctionalInterface
public interface Initializer {
  /** Adds operations computing a {@code dtype} tensor of {@code shape} (fully defined). */
  Output<?> build(Ops tf, DType dtype, Shape shape);
}
