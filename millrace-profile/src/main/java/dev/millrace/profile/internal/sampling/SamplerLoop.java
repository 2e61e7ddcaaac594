package dev.millrace.profile.internal.sampling;

import java.time.Duration;

/**
 * The one thread of a background sampler: calls {@link Probe#sample()} at a fixed rate until the
 * probe returns false or {@link #stop(Duration)} is called, which joins the thread. The rate is
 * kept on deadlines, so a slow sample shortens the next sleep instead of shifting every later one.
 */
public final class SamplerLoop {
  /** One sampling step; false (or an exception) ends the loop. */
  @FunctionalInterface
  public interface Probe {
    boolean sample() throws Exception;
  }

  /** Told once how the loop ended: null after a stop or a false return, else the exception. */
  @FunctionalInterface
  public interface Ending {
    void ended(Exception failure);
  }

  private final Thread thread;
  private final long period;
  private final boolean atOnce;
  private final Probe probe;
  private final Ending ending;
  private volatile boolean stopping;

  private SamplerLoop(String name, Duration interval, boolean atOnce, Probe probe, Ending ending) {
    this.period = interval.toNanos();
    this.atOnce = atOnce;
    this.probe = probe;
    this.ending = ending;
    this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
  }

  /**
   * Starts a loop on a daemon thread named {@code name} that samples every {@code interval}, the
   * first time at once or one interval from now.
   */
  public static SamplerLoop start(
      String name, Duration interval, boolean atOnce, Probe probe, Ending ending) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    SamplerLoop loop = new SamplerLoop(name, interval, atOnce, probe, ending);
    loop.thread.start();
    return loop;
  }

  private void run() {
    Exception failure = null;
    try {
      long next = System.nanoTime() + (atOnce ? 0 : period);
      while (!stopping) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(Duration.ofNanos(wait));
        }
        if (stopping || !probe.sample()) {
          break;
        }
        next += period;
        long now = System.nanoTime();
        if (next <= now) {
          // After a stall, restart the schedule rather than catch up in a burst.
          next = now + period;
        }
      }
    } catch (InterruptedException e) {
      // A stop interrupts the sleep or the sample.
    } catch (Exception e) {
      // A sample cut short by a stop is not a failure.
      failure = stopping ? null : e;
    }
    ending.ended(failure);
  }

  /** Asks the loop to end (interrupting a sample in progress) without waiting for it. */
  public void requestStop() {
    stopping = true;
    thread.interrupt();
  }

  /**
   * Ends the loop (interrupting a sample in progress) and waits up to {@code timeout} for its
   * thread to finish; false if it had not (a sample stuck in a call that ignores interruption).
   */
  public boolean stop(Duration timeout) {
    requestStop();
    boolean interrupted = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (thread.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        thread.join(Duration.ofNanos(left));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  public String threadName() {
    return thread.getName();
  }
}
