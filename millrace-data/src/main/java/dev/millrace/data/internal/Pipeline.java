package dev.millrace.data.internal;

import dev.millrace.data.PipelineTracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all stages of one iterator share: its settings, seed, threads, memory accounting, statistics
 * and cancellation flag.
 */
public final class Pipeline {
  private static final AtomicInteger IDS = new AtomicInteger();

  final long seed;
  final long ramBudget;
  final int maxParallelism;
  final boolean deterministic;
  final boolean autotune;
  final WorkerPool pool;

  /** Where workers report their busy intervals; null (the usual case) for nowhere. */
  final PipelineTracer tracer;

  final StatsRegistry registry = new StatsRegistry();
  final long startNanos = System.nanoTime();
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicLong peakBuffered = new AtomicLong();
  private volatile boolean cancelled;

  /** Epoch lengths (elements) observed by each top-level repeat, by stage name. */
  final Map<String, List<Long>> epochLengths = new ConcurrentHashMap<>();

  /** Epoch lengths read from a checkpoint, by stage name. */
  final Map<String, long[]> restoredEpochLengths;

  public Pipeline(
      long seed,
      long ramBudget,
      int maxParallelism,
      boolean deterministic,
      boolean autotune,
      PipelineTracer tracer,
      Map<String, long[]> restoredEpochLengths) {
    this.seed = seed;
    this.ramBudget = ramBudget;
    this.maxParallelism = maxParallelism;
    this.deterministic = deterministic;
    this.autotune = autotune;
    this.tracer = tracer;
    this.restoredEpochLengths = Map.copyOf(restoredEpochLengths);
    this.pool = new WorkerPool("millrace-data-" + IDS.getAndIncrement());
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** Throws if the iterator was closed. */
  void checkCancelled() {
    if (cancelled) {
      throw new CancellationException("the iterator is closed");
    }
  }

  /**
   * Stops every thread without waiting: what an iterator that was dropped without being closed gets
   * from its cleaner, so that its threads do not wait on full buffers forever.
   */
  void cancelAsync() {
    cancelled = true;
    pool.close(0);
  }

  /** Stops every thread (interrupting them) and waits for them to end. */
  void cancelAndJoin() {
    cancelled = true;
    pool.close(30_000);
  }

  void charge(StageCounters stage, long bytes) {
    stage.addBuffered(bytes);
    long now = buffered.addAndGet(bytes);
    if (bytes > 0) {
      peakBuffered.accumulateAndGet(now, Math::max);
    }
  }

  public long peakBufferedBytes() {
    return peakBuffered.get();
  }

  void recordEpoch(String stage, long elements) {
    List<Long> list = epochLengths.computeIfAbsent(stage, k -> new ArrayList<>());
    synchronized (list) {
      list.add(elements);
    }
  }

  public String threadPrefix() {
    return pool.prefix();
  }
}
