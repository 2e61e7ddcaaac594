package dev.millrace.data.internal;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one iterator: named {@code millrace-data-<iterator>-<n>}, reused from task to task
 * (an interleave opening file after file starts no thread per file), and all interrupted and joined
 * by {@link #close}.
 */
public final class WorkerPool {
  private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());

  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor executor;

  WorkerPool(String prefix) {
    this.prefix = prefix;
    this.executor =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t =
                  new Thread(
                      () -> {
                        try {
                          r.run();
                        } finally {
                          threads.remove(Thread.currentThread());
                        }
                      },
                      prefix + "-" + count.getAndIncrement());
              t.setDaemon(true);
              threads.add(t);
              return t;
            });
  }

  /** Runs {@code task} on a pool thread. */
  void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new CancellationException("the iterator is closed");
    }
  }

  /** Interrupts every thread and waits for all of them to end. */
  void close(long timeoutMillis) {
    executor.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    boolean interrupted = Thread.interrupted();
    try {
      for (Thread t : threads.toArray(new Thread[0])) {
        while (t.isAlive()) {
          long left = deadline - System.nanoTime();
          if (timeoutMillis == 0) {
            break;
          }
          if (left <= 0) {
            LOG.log(
                System.Logger.Level.WARNING,
                "thread {0} did not stop within {1} ms of close (a user function ignoring"
                    + " interruption?)",
                t.getName(),
                timeoutMillis);
            break;
          }
          try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  String prefix() {
    return prefix;
  }
}
