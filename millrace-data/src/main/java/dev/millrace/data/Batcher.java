package dev.millrace.data;

import dev.millrace.data.internal.Stacking;
import java.util.List;

/**
 * Turns the elements of one batch into a batch value, for {@link Dataset#batch(int, boolean,
 * Batcher)}. The list is valid only during the call (the pipeline reuses it) and holds between 1
 * and the batch size elements (fewer only for the last batch, without {@code dropRemainder}).
 *
 * @param <T> element type
 * @param <B> batch type
 */
@FunctionalInterface
public interface Batcher<T, B> {
  B batch(List<T> elements) throws Exception;

  /** The elements as an immutable list. */
  static <T> Batcher<T, List<T>> toList() {
    return List::copyOf;
  }

  /**
   * Stacks each feature into one contiguous tensor of shape {@code [n, ...]}; every element must
   * have the same features with the same dtypes and shapes.
   */
  static Batcher<Features, Batch> stack() {
    return Stacking::stack;
  }

  /** Pads variable-size features to a common shape, then stacks (see {@link Padding}). */
  static Batcher<Features, Batch> padded(Padding padding) {
    return elements -> Stacking.padded(elements, padding);
  }

  /**
   * Stacks features whose shapes agree and makes the others ragged (flat values and row splits),
   * their sizes may differ in the first dimension only.
   */
  static Batcher<Features, Batch> ragged() {
    return Stacking::ragged;
  }
}
