package dev.millrace.data.internal;

import dev.millrace.data.PipelineException;
import java.util.concurrent.CancellationException;

/**
 * The loop of a prefetch thread: pulls its input into chunks and puts them into a {@link
 * ChunkQueue}. A chunk is handed over when full, at an error (which travels at its element's
 * position), or early when the consumer is waiting and the chunk already holds about {@value
 * #FLUSH_NANOS} ns of work: a slow input does not hold elements back, and a consumer faster than
 * the input does not turn the hand-over into one wake-up per element.
 */
final class Producer<T> implements Runnable {
  private static final int MAX_CHUNK = 256;
  static final long FLUSH_NANOS = 50_000;

  private final Node<T> in;
  private final ChunkQueue queue;
  private final StageCounters stats;
  private final Pipeline pipeline;

  /** Null unless tracing is on and the input's work runs on this thread. */
  private final dev.millrace.data.PipelineTracer tracer;

  private final java.util.concurrent.CountDownLatch done =
      new java.util.concurrent.CountDownLatch(1);
  private Object carry;

  /** Elements worth handing to a waiting consumer at once, from the measured cost per element. */
  private int flushAt = 1;

  private long carryBytes;

  /** Bounds how many producers of one stage fill chunks at once; null for no bound. */
  private final java.util.concurrent.Semaphore gate;

  Producer(Node<T> in, ChunkQueue queue, StageCounters stats, Pipeline pipeline) {
    this(in, queue, stats, pipeline, null);
  }

  Producer(
      Node<T> in,
      ChunkQueue queue,
      StageCounters stats,
      Pipeline pipeline,
      java.util.concurrent.Semaphore gate) {
    this.gate = gate;
    this.in = in;
    this.queue = queue;
    this.stats = stats;
    this.pipeline = pipeline;
    // Pulling an asynchronous input is a hand-over, not work on this thread.
    this.tracer = in.stats().async ? null : pipeline.tracer;
  }

  /** Waits (bounded) for the loop to end, after the queue was closed. */
  void awaitDone() {
    boolean interrupted = Thread.interrupted();
    try {
      done.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    Throwable failure = null;
    try {
      boolean end = false;
      while (!end) {
        pipeline.checkCancelled();
        long t0 = System.nanoTime();
        Chunk c = new Chunk(queue.chunkCapacity(MAX_CHUNK));
        long filling = t0;
        if (gate != null) {
          gate.acquire();
          if (tracer != null) {
            // Waiting for the gate is not work of the input.
            filling = System.nanoTime();
          }
        }
        try {
          end = fill(c);
        } finally {
          if (gate != null) {
            gate.release();
          }
        }
        long t1 = System.nanoTime();
        if (tracer != null && c.size > 0) {
          tracer.work(in.stats().name, filling, t1);
        }
        if (c.size > 0) {
          long perElement = Math.max(1, (t1 - t0) / c.size);
          flushAt = (int) Math.min(MAX_CHUNK, Math.max(1, FLUSH_NANOS / perElement));
        }
        stats.workerInputWaitNanos.addAndGet(t1 - t0);
        long waited = 0;
        if (c.size > 0) {
          stats.producedBytes.addAndGet(c.bytes);
          waited = queue.put(c);
          stats.workerOutputWaitNanos.addAndGet(waited);
        }
        stats.workerBusyNanos.addAndGet(Math.max(0, System.nanoTime() - t1 - waited));
      }
    } catch (InterruptedException | CancellationException e) {
      // Closed: a consumer still waiting must not take this for the end of the data.
      failure = new CancellationException("the iterator was closed");
    } catch (Throwable t) {
      failure = t;
    } finally {
      queue.finish(failure);
      done.countDown();
    }
  }

  /** Pulls elements into {@code c} until it should be handed over; true at the input's end. */
  private boolean fill(Chunk c) {
    long chunkBytesLimit = Math.max(1, queue.shareBytes() / 4);
    if (carry != null) {
      c.add(carry, carryBytes);
      carry = null;
    }
    while (!c.isFull()) {
      T x;
      try {
        x = in.pull();
      } catch (PipelineException e) {
        c.add(new Chunk.Failure(e), 0);
        return !e.isElementError();
      } catch (CancellationException e) {
        throw e;
      } catch (RuntimeException e) {
        c.add(new Chunk.Failure(Errors.fatal(stats.name, -1, e)), 0);
        return true;
      }
      if (x == null) {
        return true;
      }
      long b = Sizes.of(x);
      if (c.size > 0 && c.bytes + b > chunkBytesLimit) {
        carry = x;
        carryBytes = b;
        return false;
      }
      c.add(x, b);
      if (c.size >= flushAt && queue.consumerWaiting) {
        return false;
      }
    }
    return false;
  }
}
