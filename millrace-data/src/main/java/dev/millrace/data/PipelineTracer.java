package dev.millrace.data;

/**
 * Receives the busy intervals of a pipeline's worker threads, for timelines such as a Chrome trace;
 * set it with {@link Options#tracer(PipelineTracer)}. Without one the pipeline pays a single null
 * check per chunk.
 *
 * <p>It is called on the worker's own thread (so {@code Thread.currentThread()} names the track),
 * once per chunk of elements, never per element, and from several threads at once: it must be
 * thread-safe, cheap and must not throw (an exception fails the stage like a bug in it would). The
 * intervals a thread reports do not overlap one another.
 *
 * <p>What is reported: a parallel {@code map} worker's mapping of a chunk (and the batching of a
 * fused {@code batch}) under that stage's name, and the pull of its input chunk under the input
 * stage's name; a {@code prefetch} or parallel {@code interleave} thread's filling of a chunk from
 * its input under the input stage's name. A pull is reported only when the stage pulled is
 * synchronous (its work runs on the pulling thread; the time of synchronous stages before it is
 * included, as is any wait for an asynchronous stage further up); pulling an asynchronous stage is
 * a hand-over, not work, and is left out.
 */
@FunctionalInterface
public interface PipelineTracer {
  /**
   * One interval of work of {@code stage} (a stage name as in {@link PipelineStats}, such as {@code
   * map#2}) on the calling thread, on the {@link System#nanoTime()} clock.
   */
  void work(String stage, long startNanos, long endNanos);
}
