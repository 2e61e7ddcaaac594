package dev.millrace.kernels;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The helper threads of a kernel pool: threads that join a caller's {@link
 * KernelThreads#parallelFor} and, between calls, spin for a short while before they park.
 *
 * <p>Why spin: a training step makes a few hundred split kernel calls, often back to back. Waking a
 * parked thread costs tens of microseconds per call; a helper that is still spinning when the next
 * call comes starts within a microsecond ({@code CallOverheadBenchmark.splitOfTwoShortTasks} with
 * and without the spin). The spin is bounded ({@code millrace.kernels.spinMicros}, default {@value
 * #DEFAULT_SPIN_MICROS} µs; 0 parks at once) so that idle helpers give their cores back to the
 * input pipeline and to other processes.
 *
 * <p>Why the caller never waits for a late helper: a call posts invitations; a helper that takes
 * one after every task index has been claimed leaves without touching the caller's work. The caller
 * waits only for helpers that entered its call, so a slow wake-up costs nothing beyond the work the
 * helper did not take.
 */
final class HelperThreads implements AutoCloseable {
  static final long DEFAULT_SPIN_MICROS = 50;

  private static final int RUNNING = 0;
  private static final int PARKED = 1;

  private final Helper[] helpers;
  private final ConcurrentLinkedQueue<Call> invitations = new ConcurrentLinkedQueue<>();
  private final long spinNanos;
  private volatile boolean closed;

  /**
   * Starts {@code count} daemon threads named {@code namePrefix + k}.
   *
   * @param spinNanos how long an idle helper, and a caller waiting for its helpers, spins before it
   *     parks
   */
  HelperThreads(String namePrefix, int count, long spinNanos) {
    this.spinNanos = spinNanos;
    this.helpers = new Helper[count];
    for (int k = 0; k < count; k++) {
      helpers[k] = new Helper();
      Thread t = new Thread(helpers[k]::loop, namePrefix + k);
      t.setDaemon(true);
      helpers[k].thread = t;
    }
    for (Helper h : helpers) {
      h.thread.start();
    }
  }

  /** The spin configured by {@code millrace.kernels.spinMicros}, in nanoseconds. */
  static long configuredSpinNanos() {
    String value = System.getProperty("millrace.kernels.spinMicros");
    long micros = DEFAULT_SPIN_MICROS;
    if (value != null) {
      try {
        micros = Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "millrace.kernels.spinMicros must be a whole number of microseconds, got " + value);
      }
      if (micros < 0) {
        throw new IllegalArgumentException(
            "millrace.kernels.spinMicros must be >= 0, got " + value);
      }
    }
    return TimeUnit.MICROSECONDS.toNanos(micros);
  }

  /**
   * Runs {@code task.accept(0 .. tasks - 1)} on the calling thread and on up to {@code tasks - 1}
   * helpers, which claim indices from a shared counter, so uneven tasks balance. Returns when every
   * claimed task has ended; the first failure is rethrown then, and no task starts after it.
   */
  void parallelFor(int tasks, IntConsumer task) {
    Call call = new Call(tasks, task);
    int invited = Math.min(tasks - 1, helpers.length);
    for (int i = 0; i < invited; i++) {
      invitations.offer(call);
    }
    wakeParked(invited);
    call.work();
    call.awaitHelpers(spinNanos);
    Throwable failure = call.failure.get();
    if (failure instanceof RuntimeException e) {
      throw e;
    } else if (failure instanceof Error e) {
      throw e;
    }
  }

  /** Unparks up to {@code wanted} parked helpers (a helper still spinning sees the work itself). */
  private void wakeParked(int wanted) {
    for (int k = 0; k < helpers.length && wanted > 0; k++) {
      if (helpers[k].state == PARKED) {
        LockSupport.unpark(helpers[k].thread);
        wanted--;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Helper h : helpers) {
      LockSupport.unpark(h.thread);
    }
    boolean interrupted = false;
    for (Helper h : helpers) {
      try {
        h.thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    invitations.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One helper thread: takes invitations, spins a while when there are none, then parks. */
  private final class Helper {
    Thread thread;
    volatile int state = RUNNING;

    void loop() {
      while (!closed) {
        Call call = invitations.poll();
        if (call != null) {
          call.help();
        } else if (!spinForInvitation()) {
          park();
        }
      }
    }

    private boolean spinForInvitation() {
      if (spinNanos == 0) {
        return false;
      }
      long deadline = System.nanoTime() + spinNanos;
      while (invitations.peek() == null && !closed) {
        if (System.nanoTime() - deadline > 0) {
          return false;
        }
        Thread.onSpinWait();
      }
      return true;
    }

    /**
     * Parks until a caller unparks this helper. The state is published before the queue is read
     * again, and a caller offers before it reads the state, so one of the two always sees the
     * other: no invitation waits for a helper that went to sleep past it.
     */
    private void park() {
      state = PARKED;
      if (invitations.peek() == null && !closed) {
        LockSupport.park(this);
      }
      state = RUNNING;
      Thread.interrupted(); // only close() stops a helper
    }
  }

  /** One parallelFor call: its task counter and the helpers that entered it. */
  private static final class Call {
    final int tasks;
    final IntConsumer task;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger entered = new AtomicInteger();
    final AtomicInteger left = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile Thread waiter;

    Call(int tasks, IntConsumer task) {
      this.tasks = tasks;
      this.task = task;
    }

    /** Claims and runs task indices until none is left (or one failed). */
    void work() {
      for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
        try {
          task.accept(i);
        } catch (RuntimeException | Error e) {
          fail(e);
        }
      }
    }

    private void fail(Throwable e) {
      failure.compareAndSet(null, e);
      next.set(tasks); // no new task starts
    }

    /**
     * A helper's share. Entering is counted before the first claim, so a caller that has seen the
     * counter run out also sees every helper that claimed a task.
     */
    void help() {
      entered.incrementAndGet();
      try {
        work();
      } finally {
        if (left.incrementAndGet() == entered.get()) {
          Thread w = waiter;
          if (w != null) {
            LockSupport.unpark(w);
          }
        }
      }
    }

    private boolean helpersDone() {
      return left.get() == entered.get();
    }

    /** Waits, spinning first, until every helper that entered this call has left it. */
    void awaitHelpers(long spinNanos) {
      if (helpersDone()) {
        return;
      }
      long deadline = System.nanoTime() + spinNanos;
      while (System.nanoTime() - deadline < 0) {
        if (helpersDone()) {
          return;
        }
        Thread.onSpinWait();
      }
      waiter = Thread.currentThread();
      boolean interrupted = false;
      while (!helpersDone()) {
        LockSupport.park(this);
        if (Thread.interrupted() && !interrupted) {
          // No new task starts, and the call fails; the helpers still running write into the
          // caller's output, so they are waited for all the same.
          interrupted = true;
          fail(new IllegalStateException("interrupted while waiting for kernel helper threads"));
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
