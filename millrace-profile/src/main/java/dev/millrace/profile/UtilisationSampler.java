package dev.millrace.profile;

import dev.millrace.profile.internal.sampling.ProcReader;
import dev.millrace.profile.internal.sampling.SampleRing;
import dev.millrace.profile.internal.sampling.SamplerLoop;
import dev.millrace.profile.internal.sampling.SummaryAccumulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples, on one daemon thread of its own, the CPU use of this process and of the whole machine
 * and the bytes this process reads, from Linux's {@code /proc}: what {@code top} and {@code iotop}
 * would show during training, lined up with the steps. Close it to stop and join the thread.
 *
 * <p>Memory is bounded: the latest {@code capacity} samples are kept ({@link #samples()}), and
 * {@link #summary()} covers the whole run in constant space. Where {@code /proc} is missing (not
 * Linux) the sampler is {@link SamplerState#UNAVAILABLE}, starts no thread and says why; it never
 * throws for it. Thread-safe.
 */
public final class UtilisationSampler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(UtilisationSampler.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** An hour of samples at the default interval. */
  public static final int DEFAULT_CAPACITY = 3_600;

  private final Duration interval;
  private final SampleRing<UtilisationSample> ring;
  private final SummaryAccumulator totals = new SummaryAccumulator();
  private final SamplerLoop loop;
  private volatile SamplerState state;
  private volatile String message;

  private UtilisationSampler(Path procRoot, Duration interval, int capacity, int cpus) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be >= 1, got " + cpus);
    }
    this.interval = interval;
    this.ring = new SampleRing<>(capacity);
    ProcReader.Result opened = ProcReader.open(procRoot);
    if (opened.reader() == null) {
      state = SamplerState.UNAVAILABLE;
      message = opened.unavailable().orElseThrow();
      loop = null;
      return;
    }
    ProcReader reader = opened.reader();
    state = SamplerState.RUNNING;
    List<String> missing = new java.util.ArrayList<>();
    if (!reader.hasMachine()) {
      missing.add(procRoot.resolve("stat") + " is not readable: no machine CPU");
    }
    if (!reader.hasIo()) {
      missing.add(procRoot.resolve("self").resolve("io") + " is not readable: no read bytes");
    }
    message = String.join("; ", missing);
    ProcReader.Reading[] last = {readOrNull(reader)};
    loop =
        SamplerLoop.start(
            "millrace-utilisation-sampler-" + IDS.getAndIncrement(),
            interval,
            false,
            () -> {
              ProcReader.Reading now = reader.read();
              if (last[0] != null) {
                add(ProcReader.between(last[0], now, cpus));
              }
              last[0] = now;
              return true;
            },
            this::ended);
  }

  /** Samples every second, keeping the latest {@value #DEFAULT_CAPACITY}. */
  public static UtilisationSampler start() {
    return start(DEFAULT_INTERVAL, DEFAULT_CAPACITY);
  }

  /** Samples every {@code interval}, keeping the latest {@value #DEFAULT_CAPACITY}. */
  public static UtilisationSampler start(Duration interval) {
    return start(interval, DEFAULT_CAPACITY);
  }

  /**
   * Samples every {@code interval}, keeping the latest {@code capacity}; the process's share is of
   * the CPUs the JVM may use ({@link Runtime#availableProcessors()}, which follows container
   * limits).
   */
  public static UtilisationSampler start(Duration interval, int capacity) {
    return new UtilisationSampler(
        Path.of("/proc"), interval, capacity, Runtime.getRuntime().availableProcessors());
  }

  /** A sampler of another {@code /proc} tree (a recorded one, in tests). */
  static UtilisationSampler start(Path procRoot, Duration interval, int capacity, int cpus) {
    return new UtilisationSampler(procRoot, interval, capacity, cpus);
  }

  private static ProcReader.Reading readOrNull(ProcReader reader) {
    try {
      return reader.read();
    } catch (java.io.IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private void add(UtilisationSample s) {
    ring.add(s);
    synchronized (totals) {
      totals.add(s);
    }
  }

  private void ended(Exception failure) {
    if (failure != null) {
      message = "sampling stopped: " + failure.getMessage();
      state = SamplerState.FAILED;
      LOG.log(System.Logger.Level.WARNING, "CPU utilisation " + message);
    }
  }

  public SamplerState state() {
    return state;
  }

  /**
   * Why the sampler is unavailable or failed, or which counters it cannot read while running; empty
   * when all is well.
   */
  public Optional<String> message() {
    String m = message;
    return m == null || m.isEmpty() ? Optional.empty() : Optional.of(m);
  }

  public Duration interval() {
    return interval;
  }

  public int capacity() {
    return ring.capacity();
  }

  /** A copy of the samples kept, oldest first. */
  public List<UtilisationSample> samples() {
    return ring.snapshot();
  }

  public Optional<UtilisationSample> latest() {
    return ring.latest();
  }

  /** Means and maxima over every sample taken, those no longer kept included. */
  public UtilisationSummary summary() {
    synchronized (totals) {
      return totals.summary();
    }
  }

  /** Stops sampling and joins the thread; the samples stay readable. Idempotent. */
  @Override
  public void close() {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(10));
    }
    if (state == SamplerState.RUNNING) {
      state = SamplerState.CLOSED;
    }
  }
}
