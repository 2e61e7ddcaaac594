package dev.millrace.data.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of one running stage. The pull-side counters are written by the one thread that
 * pulls the node at a time (plain fields: a snapshot taken while the pipeline runs may read them a
 * little stale, never torn on a 64-bit JVM); the worker-side counters of asynchronous stages are
 * atomics added once per chunk.
 */
public final class StageCounters {
  final String name;
  final String kind;

  /**
   * Stages whose pull time this stage's pull time includes (grows as an interleave opens inputs).
   */
  final CopyOnWriteArrayList<String> inputs;

  final boolean async;
  private final StatsRegistry registry;

  // Pull side: every call is counted, a random sample of calls is timed (System.nanoTime costs
  // ~20 ns, too much to pay per element on a sub-microsecond stage).
  long calls;
  long elements;
  long sampledCalls;
  long sampledNanos;
  long sampledElements;
  long sampledBytes;

  /** Bytes counted exactly by the stage itself (sources), or -1 to estimate from samples. */
  long directBytes = -1;

  // Worker side (asynchronous stages).
  final AtomicLong workerBusyNanos = new AtomicLong();
  final AtomicLong workerInputWaitNanos = new AtomicLong();
  final AtomicLong workerOutputWaitNanos = new AtomicLong();
  final AtomicLong producedBytes = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong bufferedBytes = new AtomicLong();
  final AtomicLong peakBufferedBytes = new AtomicLong();
  volatile int parallelism = 1;
  volatile long bufferLimitElements;
  volatile long shareBytes;

  StageCounters(
      StatsRegistry registry, String name, String kind, List<String> inputs, boolean async) {
    this.registry = registry;
    this.name = name;
    this.kind = kind;
    this.inputs = new CopyOnWriteArrayList<>(inputs);
    this.async = async;
  }

  public String name() {
    return name;
  }

  /** Estimated time spent inside this node's pull, its inputs included. */
  long inclusiveNanos() {
    long s = sampledCalls;
    return s == 0 ? 0 : (long) ((double) sampledNanos * calls / s);
  }

  /** Estimated bytes of the elements produced (exact for asynchronous stages). */
  long bytes() {
    if (async) {
      return producedBytes.get();
    }
    if (directBytes >= 0) {
      return directBytes;
    }
    long s = sampledElements;
    return s == 0 ? 0 : (long) ((double) sampledBytes * elements / s);
  }

  /** Folds these counters into the stage's totals once its node is closed. */
  void retire() {
    if (registry != null) {
      registry.retire(this);
    }
  }

  void addInput(String input) {
    inputs.addIfAbsent(input);
  }

  void addBuffered(long delta) {
    long now = bufferedBytes.addAndGet(delta);
    if (delta > 0) {
      peakBufferedBytes.accumulateAndGet(now, Math::max);
    }
  }

  /** Folds a retired node's counters into this aggregate. */
  synchronized void absorb(StageCounters c) {
    calls += c.calls;
    elements += c.elements;
    sampledCalls += c.sampledCalls;
    sampledNanos += c.sampledNanos;
    sampledElements += c.sampledElements;
    sampledBytes += c.sampledBytes;
    if (c.directBytes >= 0) {
      directBytes = Math.max(0, directBytes) + c.directBytes;
    }
    workerBusyNanos.addAndGet(c.workerBusyNanos.get());
    workerInputWaitNanos.addAndGet(c.workerInputWaitNanos.get());
    workerOutputWaitNanos.addAndGet(c.workerOutputWaitNanos.get());
    producedBytes.addAndGet(c.producedBytes.get());
    dropped.addAndGet(c.dropped.get());
    peakBufferedBytes.accumulateAndGet(c.peakBufferedBytes.get(), Math::max);
    parallelism = Math.max(parallelism, c.parallelism);
    bufferLimitElements = Math.max(bufferLimitElements, c.bufferLimitElements);
    shareBytes = Math.max(shareBytes, c.shareBytes);
  }
}
