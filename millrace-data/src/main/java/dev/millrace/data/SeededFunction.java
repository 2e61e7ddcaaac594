package dev.millrace.data;

/**
 * A random function applied to each element by {@link Dataset#map}, such as an augmentation. The
 * pipeline hands it a generator seeded from the iterator's seed, the stage and the element's index,
 * so its results do not depend on which thread runs it, on the thread count or on timing: two runs
 * with the same seed give the same elements.
 *
 * @param <T> input element type
 * @param <R> output element type
 */
@FunctionalInterface
public interface SeededFunction<T, R> {
  /**
   * @param random this element's generator; valid only during the call
   */
  R apply(T element, ElementRandom random) throws Exception;
}
