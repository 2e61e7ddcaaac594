/**
 * Tensors and their element types, shapes and image layouts. Invariants: a tensor's storage is
 * contiguous and row-major with exactly {@code shape.size()} elements; shapes are immutable; error
 * messages name both the expected and the actual shape or type.
 */
package dev.millrace.tensor;
