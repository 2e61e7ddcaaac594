package dev.millrace.profile;

import dev.millrace.profile.internal.sampling.ChildProcess;
import dev.millrace.profile.internal.sampling.NvidiaSmiCsv;
import dev.millrace.profile.internal.sampling.SampleRing;
import dev.millrace.profile.internal.sampling.SamplerLoop;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Samples GPU utilisation and memory by running {@code nvidia-smi}'s CSV query every interval on
 * one daemon thread of its own: the performance guide's {@code watch -n 2 nvidia-smi}, recorded and
 * lined up with the steps. Close it to stop and join the thread; no {@code nvidia-smi} process
 * outlives a sample or the sampler.
 *
 * <p>Without {@code nvidia-smi} the sampler is {@link SamplerState#UNAVAILABLE} and starts no
 * thread. An answer it cannot read (a failed driver, garbage, a hang) stops it as {@link
 * SamplerState#FAILED} with a one-line {@link #message()}; nothing is thrown at the caller, whose
 * run goes on. Memory is bounded as in {@link UtilisationSampler}. Thread-safe.
 */
public final class GpuSampler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GpuSampler.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_CAPACITY = 3_600;

  /** nvidia-smi answers in well under a second; a stuck driver is given this long. */
  private static final Duration MIN_TIMEOUT = Duration.ofSeconds(10);

  private final Duration interval;
  private final SampleRing<GpuSample> ring;
  private final Map<Integer, Totals> totals = new TreeMap<>();
  private final AtomicReference<Process> running = new AtomicReference<>();
  private final SamplerLoop loop;
  private long samplesTaken;
  private volatile SamplerState state;
  private volatile String message = "";

  /** Running per-GPU aggregates for the summary. */
  private static final class Totals {
    String name;
    long n;
    double sum;
    double max = Double.NaN;
    long maxMemory = -1;
    long memoryTotal = -1;
  }

  private GpuSampler(Path executable, Duration interval, int capacity) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.interval = interval;
    this.ring = new SampleRing<>(capacity);
    if (executable == null || !Files.isExecutable(executable)) {
      state = SamplerState.UNAVAILABLE;
      message =
          executable == null
              ? "nvidia-smi is not on the PATH"
              : executable + " is not an executable file";
      loop = null;
      return;
    }
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(NvidiaSmiCsv.QUERY_ARGUMENTS);
    Duration timeout = java.util.Collections.max(List.of(interval.multipliedBy(5), MIN_TIMEOUT));
    state = SamplerState.RUNNING;
    loop =
        SamplerLoop.start(
            "millrace-gpu-sampler-" + IDS.getAndIncrement(),
            interval,
            true,
            () -> {
              sampleOnce(command, timeout);
              return true;
            },
            this::ended);
  }

  /** Samples every second with the {@code nvidia-smi} found on the PATH, if any. */
  public static GpuSampler start() {
    return start(DEFAULT_INTERVAL);
  }

  /** Samples every {@code interval} with the {@code nvidia-smi} found on the PATH, if any. */
  public static GpuSampler start(Duration interval) {
    return new GpuSampler(findNvidiaSmi().orElse(null), interval, DEFAULT_CAPACITY);
  }

  /**
   * Samples every {@code interval} by running {@code nvidiaSmi} (which must answer the CSV query as
   * {@code nvidia-smi} does), keeping the latest {@code capacity} samples.
   */
  public static GpuSampler start(Path nvidiaSmi, Duration interval, int capacity) {
    return new GpuSampler(nvidiaSmi, interval, capacity);
  }

  /** The first executable {@code nvidia-smi} on the PATH. */
  public static Optional<Path> findNvidiaSmi() {
    return findOnPath(System.getenv("PATH"), "nvidia-smi");
  }

  /** The first executable {@code name} in the directories of {@code path} (a PATH value). */
  static Optional<Path> findOnPath(String path, String name) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private void sampleOnce(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    ChildProcess.Outcome out = ChildProcess.run(command, timeout, running);
    long now = System.nanoTime();
    long wall = System.currentTimeMillis();
    if (out.exitCode() != 0) {
      String first = out.output().strip().lines().findFirst().orElse("no output");
      throw new IOException(
          command.getFirst() + " exited with status " + out.exitCode() + ": " + first);
    }
    GpuSample s = new GpuSample(now, wall, NvidiaSmiCsv.parse(out.output()));
    ring.add(s);
    synchronized (totals) {
      samplesTaken++;
      for (GpuSample.Gpu g : s.gpus()) {
        Totals t = totals.computeIfAbsent(g.index(), i -> new Totals());
        t.name = g.name();
        if (!Double.isNaN(g.utilisation())) {
          t.n++;
          t.sum += g.utilisation();
          t.max = Double.isNaN(t.max) ? g.utilisation() : Math.max(t.max, g.utilisation());
        }
        t.maxMemory = Math.max(t.maxMemory, g.memoryUsedMiB());
        t.memoryTotal = Math.max(t.memoryTotal, g.memoryTotalMiB());
      }
    }
  }

  private void ended(Exception failure) {
    if (failure != null) {
      message = "GPU sampling stopped: " + failure.getMessage();
      state = SamplerState.FAILED;
      LOG.log(System.Logger.Level.WARNING, message);
    }
  }

  public SamplerState state() {
    return state;
  }

  /** Why the sampler is unavailable or failed; empty while all is well. */
  public Optional<String> message() {
    String m = message;
    return m.isEmpty() ? Optional.empty() : Optional.of(m);
  }

  public Duration interval() {
    return interval;
  }

  /** A copy of the samples kept, oldest first. */
  public List<GpuSample> samples() {
    return ring.snapshot();
  }

  public Optional<GpuSample> latest() {
    return ring.latest();
  }

  /** Per-GPU means and maxima over every sample taken, those no longer kept included. */
  public GpuSummary summary() {
    synchronized (totals) {
      List<GpuSummary.Gpu> gpus = new ArrayList<>();
      totals.forEach(
          (index, t) ->
              gpus.add(
                  new GpuSummary.Gpu(
                      index,
                      t.name,
                      t.n == 0 ? Double.NaN : t.sum / t.n,
                      t.max,
                      t.maxMemory,
                      t.memoryTotal)));
      return new GpuSummary(samplesTaken, gpus);
    }
  }

  /**
   * Stops sampling, kills a running {@code nvidia-smi} and joins the thread; the samples stay
   * readable. Idempotent.
   */
  @Override
  public void close() {
    if (loop == null) {
      return;
    }
    loop.requestStop();
    // The interrupt ends a wait for nvidia-smi; killing it also ends a read of its output.
    ChildProcess.kill(running.get());
    if (!loop.stop(Duration.ofSeconds(10))) {
      LOG.log(System.Logger.Level.WARNING, loop.threadName() + " did not stop within 10 s");
    }
    if (state == SamplerState.RUNNING) {
      state = SamplerState.CLOSED;
    }
  }
}
