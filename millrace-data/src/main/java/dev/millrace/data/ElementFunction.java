package dev.millrace.data;

/**
 * A function applied to each element by {@link Dataset#map}. It may throw: the exception reaches
 * the consumer as a {@link PipelineException} naming the stage and element (or is skipped by {@link
 * Dataset#ignoreErrors()}). With parallelism it runs on several threads at once, so it must be
 * thread-safe; on checkpoint restore it is not called for the elements skipped.
 *
 * @param <T> input element type
 * @param <R> output element type
 */
@FunctionalInterface
public interface ElementFunction<T, R> {
  R apply(T element) throws Exception;
}
