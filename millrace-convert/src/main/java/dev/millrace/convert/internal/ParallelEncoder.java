package dev.millrace.convert.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes records {@code 0..n-1} on worker threads and hands them to a sink strictly in index
 * order, so that the output never depends on the number of threads.
 *
 * <p>At most {@link #window()} records are in flight (queued, being encoded, or encoded and waiting
 * for their turn): memory stays bounded however fast the workers are. The workers are named {@code
 * millrace-convert-<pool>-<n>}, created once and stopped by {@link #close()}. With one thread
 * everything runs on the caller's thread and no worker is started.
 */
public final class ParallelEncoder implements Closeable {
  /** Encodes the record at one position. Called from worker threads: must be thread-safe. */
  @FunctionalInterface
  public interface Encoder {
    byte[] encode(int position) throws IOException;
  }

  /** Receives encoded records in position order, on the caller's thread. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] record) throws IOException;
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int window;
  private final ThreadPoolExecutor pool;

  public ParallelEncoder(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected >= 1)");
    }
    // Four records per worker keep every worker busy while the writer drains the head.
    this.window = threads == 1 ? 1 : threads * 4;
    if (threads == 1) {
      this.pool = null;
    } else {
      this.pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              0,
              TimeUnit.MILLISECONDS,
              new ArrayBlockingQueue<>(window),
              namedThreads("millrace-convert-" + POOLS.incrementAndGet() + "-"));
    }
  }

  /** The most records in flight at once. */
  public int window() {
    return window;
  }

  /**
   * Encodes positions {@code 0..count-1} and passes each result to {@code sink} in order. The first
   * failure (in order) is rethrown as it was thrown, and the work still in flight is cancelled.
   *
   * @throws InterruptedIOException if the calling thread is interrupted
   */
  public void run(int count, Encoder encoder, Sink sink) throws IOException {
    if (pool == null) {
      for (int i = 0; i < count; i++) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("conversion interrupted");
        }
        sink.accept(encoder.encode(i));
      }
      return;
    }
    ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>(window);
    int next = 0;
    try {
      while (next < count || !inFlight.isEmpty()) {
        while (next < count && inFlight.size() < window) {
          int position = next++;
          inFlight.add(pool.submit(() -> encoder.encode(position)));
        }
        // A finished future answers get() without looking at the interrupt flag.
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("conversion interrupted");
        }
        sink.accept(await(inFlight.poll()));
      }
    } finally {
      for (Future<byte[]> f : inFlight) {
        f.cancel(true);
      }
    }
  }

  private static byte[] await(Future<byte[]> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("conversion interrupted");
    } catch (CancellationException e) {
      throw new InterruptedIOException("conversion cancelled");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      switch (cause) {
        case IOException io -> throw io;
        case UncheckedIOException io -> throw io.getCause();
        case RuntimeException r -> throw r;
        case Error err -> throw err;
        default -> throw new IOException(cause);
      }
    }
  }

  /** Stops the workers, interrupting any still encoding, and waits for them. */
  @Override
  public void close() throws IOException {
    if (pool == null) {
      return;
    }
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IOException("encoder threads did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while stopping encoder threads");
    }
  }

  private static ThreadFactory namedThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + n.incrementAndGet());
      // Daemon: a caller that forgets close() must not keep the JVM alive.
      t.setDaemon(true);
      return t;
    };
  }
}
