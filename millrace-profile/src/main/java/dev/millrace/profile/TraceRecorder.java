package dev.millrace.profile;

import dev.millrace.data.PipelineTracer;
import dev.millrace.graph.RunStats;
import dev.millrace.profile.internal.trace.TraceBuffer;
import dev.millrace.profile.internal.trace.TraceEvent;
import dev.millrace.profile.internal.trace.TraceJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a timeline of a few training steps for Perfetto or {@code chrome://tracing} (the
 * trainer's {@code --trace FILE}): on a "train loop" track each step with its wait for input and
 * its compute; on one track per thread the session's ops ({@link RunStats}) and the input
 * pipeline's work ({@link #pipelineTracer()}); and, if given, CPU and GPU utilisation as counters.
 *
 * <p>Only the steps that {@link TraceLimits} selects are recorded (by default 20 after 10 of
 * warm-up); recording also stops at the event and byte caps, so a trace stays a few megabytes
 * whatever the run's length, and it costs nothing but a volatile read outside those steps. The
 * written slices nest properly on every track. Thread-safe: the pipeline's threads report while the
 * training loop records its steps.
 *
 * <p>Per step, call {@link #sessionRun} with the run's stats, then {@link #step} with the step's
 * record; finally {@link #addCounters} and {@link #write}.
 */
public final class TraceRecorder {
  private enum Window {
    WARMUP,
    OPEN,
    DONE
  }

  private final TraceLimits limits;
  private final TraceBuffer buffer;
  private final PipelineTracer pipelineTracer = this::pipelineWork;
  private volatile Window window = Window.WARMUP;

  // Guarded by this.
  private long stepsSeen;
  private long stepsRecorded;
  private long firstStep = -1;
  private long lastStep = -1;
  private long openNanos;
  private long closeNanos;

  /** A recorder with {@link TraceLimits#defaults()}. */
  public TraceRecorder() {
    this(TraceLimits.defaults());
  }

  public TraceRecorder(TraceLimits limits) {
    this.limits = limits;
    this.buffer = new TraceBuffer(limits.maxEvents(), limits.maxBytes());
    if (limits.warmupSteps() == 0) {
      open(System.nanoTime());
    }
  }

  public TraceLimits limits() {
    return limits;
  }

  /** Give it to the pipeline with {@code Options.tracer(...)} to see its threads' work. */
  public PipelineTracer pipelineTracer() {
    return pipelineTracer;
  }

  /** Whether events are being recorded now (the selected steps have begun and not ended). */
  public boolean isRecording() {
    return window == Window.OPEN;
  }

  /** Whether recording has ended: all selected steps recorded, or a cap reached. */
  public boolean isDone() {
    return window == Window.DONE;
  }

  /** Whether a cap ended recording before all selected steps were recorded. */
  public boolean isTruncated() {
    return buffer.slicesFull();
  }

  public synchronized long recordedSteps() {
    return stepsRecorded;
  }

  /** Slices and counter values recorded so far. */
  public int eventCount() {
    return buffer.size();
  }

  private void pipelineWork(String stage, long startNanos, long endNanos) {
    if (window != Window.OPEN) {
      return;
    }
    slice(
        Thread.currentThread().getName(),
        stage,
        "pipeline",
        startNanos,
        endNanos - startNanos,
        Map.of());
  }

  /**
   * The ops of one session run of step {@code step}, which began at {@code runStartNanos} on the
   * {@link System#nanoTime()} clock (the ops' start times are relative to it).
   */
  public void sessionRun(long step, long runStartNanos, RunStats stats) {
    if (window != Window.OPEN) {
      return;
    }
    for (RunStats.OpStat op : stats.ops()) {
      Map<String, Object> args =
          Map.of("type", op.type(), "outputBytes", op.outputBytes(), "step", step);
      if (!slice(
          op.thread(),
          op.name(),
          "op",
          runStartNanos + op.startNanos(),
          op.durationNanos(),
          args)) {
        return;
      }
    }
  }

  /**
   * One step of the training loop, after its session run. Counts towards the warm-up; within the
   * selected steps, records the step with its input wait and compute on the "train loop" track.
   */
  public synchronized void step(StepRecord r) {
    stepsSeen++;
    long end = r.startNanos() + r.totalNanos();
    switch (window) {
      case WARMUP -> {
        if (stepsSeen >= limits.warmupSteps()) {
          open(end);
        }
      }
      case OPEN -> {
        recordStep(r);
        if (stepsRecorded >= limits.steps()) {
          close(end);
        }
      }
      case DONE -> {}
    }
  }

  private void recordStep(StepRecord r) {
    long start = r.startNanos();
    boolean ok =
        add(
            TraceBuffer.TRAIN_LOOP_TID,
            "step " + r.step(),
            "step",
            start,
            r.totalNanos(),
            Map.of("step", r.step(), "examples", r.examples()));
    if (ok && r.waitNanos() > 0) {
      ok = add(TraceBuffer.TRAIN_LOOP_TID, "input wait", "input", start, r.waitNanos(), Map.of());
    }
    if (ok && r.computeNanos() > 0) {
      ok =
          add(
              TraceBuffer.TRAIN_LOOP_TID,
              "compute",
              "compute",
              start + r.waitNanos(),
              r.computeNanos(),
              Map.of());
    }
    if (ok) {
      stepsRecorded++;
      firstStep = firstStep < 0 ? r.step() : firstStep;
      lastStep = r.step();
    }
  }

  private boolean slice(
      String thread, String name, String category, long start, long dur, Map<String, Object> args) {
    int tid = buffer.tidOf(thread);
    if (tid < 0) {
      capReached();
      return false;
    }
    return add(tid, name, category, start, dur, args);
  }

  private boolean add(
      int tid, String name, String category, long start, long dur, Map<String, Object> args) {
    if (buffer.addSlice(
        new TraceEvent(
            TraceEvent.Phase.COMPLETE, tid, name, category, start, Math.max(0, dur), args))) {
      return true;
    }
    capReached();
    return false;
  }

  /**
   * Adds the sampler's CPU and read-rate samples that overlap the recorded steps as counters (each
   * value shown from the start of its interval). Call once, after recording ended.
   */
  public void addCounters(UtilisationSampler sampler) {
    addUtilisation(sampler.samples());
  }

  /** Adds the GPU sampler's samples taken during the recorded steps as counters. */
  public void addCounters(GpuSampler sampler) {
    addGpu(sampler.samples());
  }

  /** {@link #addCounters(UtilisationSampler)} for samples at hand. */
  public void addUtilisation(List<UtilisationSample> samples) {
    long[] range = recordedRange();
    if (range == null) {
      return;
    }
    for (UtilisationSample u : samples) {
      // Only intervals that overlap the recorded time, not those that merely touch it.
      if (u.nanoTime() <= range[0] || u.startNanos() >= range[1]) {
        continue;
      }
      long t = u.startNanos();
      counter("CPU %", t, values("process", 100 * u.processCpu(), "machine", 100 * u.machineCpu()));
      counter("CPU cores used", t, values("process", u.processCores(), null, Double.NaN));
      counter(
          "read MB/s",
          t,
          values(
              "storage",
              u.diskReadBytesPerSecond() / 1e6,
              "with page cache",
              u.readBytesPerSecond() / 1e6));
    }
  }

  /** {@link #addCounters(GpuSampler)} for samples at hand. */
  public void addGpu(List<GpuSample> samples) {
    long[] range = recordedRange();
    if (range == null) {
      return;
    }
    for (GpuSample s : samples) {
      if (s.nanoTime() < range[0] || s.nanoTime() > range[1]) {
        continue;
      }
      for (GpuSample.Gpu g : s.gpus()) {
        String gpu = "GPU " + g.index();
        counter(
            gpu + " utilisation %",
            s.nanoTime(),
            values("busy", 100 * g.utilisation(), null, Double.NaN));
        counter(
            gpu + " memory MiB",
            s.nanoTime(),
            values("used", mib(g.memoryUsedMiB()), "total", mib(g.memoryTotalMiB())));
      }
    }
  }

  private static double mib(long mib) {
    return mib < 0 ? Double.NaN : mib;
  }

  /**
   * The finite values among two named ones, to three decimals (more digits than a chart shows would
   * only make the file larger); JSON has no NaN, so an unknown value is left out.
   */
  private static Map<String, Object> values(String k1, double v1, String k2, double v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (Double.isFinite(v1)) {
      m.put(k1, Math.round(v1 * 1000) / 1000.0);
    }
    if (k2 != null && Double.isFinite(v2)) {
      m.put(k2, Math.round(v2 * 1000) / 1000.0);
    }
    return m;
  }

  private void counter(String name, long at, Map<String, Object> values) {
    if (!values.isEmpty()) {
      buffer.addCounter(
          new TraceEvent(
              TraceEvent.Phase.COUNTER,
              TraceBuffer.TRAIN_LOOP_TID,
              name,
              "utilisation",
              at,
              0,
              values));
    }
  }

  /** The recorded time range, up to now while still recording; null if it never began. */
  private synchronized long[] recordedRange() {
    return switch (window) {
      case WARMUP -> null;
      case OPEN -> new long[] {openNanos, System.nanoTime()};
      case DONE -> new long[] {openNanos, closeNanos};
    };
  }

  /**
   * Writes the trace recorded so far to {@code file} atomically (a temporary file renamed over it):
   * {@code {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}}, {@code otherData}
   * stating the steps recorded and whether a cap cut the trace short.
   */
  public void write(Path file) throws IOException {
    Map<String, Object> other = new LinkedHashMap<>();
    synchronized (this) {
      other.put("warmupSteps", limits.warmupSteps());
      other.put("recordedSteps", stepsRecorded);
      if (firstStep >= 0) {
        other.put("firstStep", firstStep);
        other.put("lastStep", lastStep);
      }
    }
    TraceJson.write(file, buffer.snapshot(), ProcessHandle.current().pid(), "millrace", other);
  }

  private synchronized void open(long now) {
    openNanos = now;
    window = Window.OPEN;
  }

  private synchronized void close(long now) {
    if (window == Window.OPEN) {
      closeNanos = now;
      window = Window.DONE;
    }
  }

  private void capReached() {
    close(System.nanoTime());
  }
}
