package dev.millrace.data;

/**
 * A test applied to each element by {@link Dataset#filter}; it may throw, like an {@link
 * ElementFunction}.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface ElementPredicate<T> {
  boolean test(T element) throws Exception;
}
