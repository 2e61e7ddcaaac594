package dev.millrace.data;

import java.util.Iterator;

/**
 * A running pipeline: the elements of a {@link Dataset}, computed as they are asked for (and ahead
 * of time by prefetching stages). Closing it stops and joins every thread it started; always close
 * it, with try-with-resources:
 *
 * <pre>{@code
 * try (DatasetIterator<Batch> it = train.iterator()) {
 *   for (Batch b : it) step(b);
 * }
 * }</pre>
 *
 * <p>A failure (a user function that throws, a corrupt record) is thrown by {@link #next()} or
 * {@link #hasNext()} as a {@link PipelineException} after the iterator has shut down; interrupting
 * the consumer's thread cancels it (a {@link java.util.concurrent.CancellationException}, the
 * interrupt flag kept). For one consumer thread; {@link #stats()} may be called from any thread.
 *
 * @param <T> element type
 */
public interface DatasetIterator<T> extends Iterator<T>, Iterable<T>, AutoCloseable {
  /** Statistics of every stage so far (a snapshot; callable from any thread, also after close). */
  PipelineStats stats();

  /** Elements returned by {@link #next()} so far (plus the position restored from). */
  long position();

  /**
   * The current position as a small checkpoint: {@link Dataset#iterator(IteratorCheckpoint)} on the
   * same pipeline resumes with the element {@code next()} would return now, so that no element is
   * lost or repeated.
   *
   * @throws IllegalStateException if the pipeline is not deterministic
   */
  IteratorCheckpoint checkpoint();

  /** Stops and joins every thread of the pipeline and releases its files; idempotent. */
  @Override
  void close();

  /** This iterator itself (so that it can be used in a for-each loop), not a new one. */
  @Override
  default Iterator<T> iterator() {
    return this;
  }
}
