package dev.millrace.data.internal;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of chunks from one producer thread to one consumer thread, limited both in
 * elements (the prefetch depth, which autotuning may raise) and in bytes (the stage's share of the
 * RAM budget, which is never exceeded: a chunk is charged before it becomes visible).
 */
final class ChunkQueue {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  private final Pipeline pipeline;
  private final StageCounters stats;
  private final long shareBytes;
  private final long maxDepth;
  private final boolean autotune;
  private long elements;
  private long bytes;
  private boolean finished;
  private boolean closed;
  private Throwable failure;
  private boolean producerBlocked;

  /** Read by the producer without the lock, to hand over a partial chunk to a waiting consumer. */
  volatile boolean consumerWaiting;

  volatile long depth;

  /** Called after each put and at finish, outside the lock (an interleave waits on all slots). */
  private final Runnable onChange;

  ChunkQueue(
      Pipeline pipeline,
      StageCounters stats,
      long shareBytes,
      long depth,
      long maxDepth,
      boolean autotune,
      Runnable onChange) {
    this.onChange = onChange;
    this.pipeline = pipeline;
    this.stats = stats;
    this.shareBytes = shareBytes;
    this.depth = depth;
    this.maxDepth = maxDepth;
    this.autotune = autotune;
    stats.shareBytes = shareBytes;
    stats.bufferLimitElements = depth;
  }

  long shareBytes() {
    return shareBytes;
  }

  /** Elements the producer should put in one chunk: half the depth, so two can be in flight. */
  int chunkCapacity(int max) {
    return (int) Math.max(1, Math.min(max, depth / 2));
  }

  /**
   * Adds a chunk once it fits; returns the nanoseconds spent waiting for room.
   *
   * @throws IllegalStateException if the chunk alone exceeds the stage's share of the budget
   */
  long put(Chunk c) throws InterruptedException {
    if (c.bytes > shareBytes) {
      throw new IllegalStateException(
          "an element of "
              + c.bytes
              + " bytes exceeds "
              + stats.name
              + "'s share of the RAM budget ("
              + shareBytes
              + " of "
              + pipeline.ramBudget
              + " bytes); raise Options.ramBudget");
    }
    long waited = 0;
    lock.lockInterruptibly();
    try {
      while ((elements > 0 && elements + c.size > depth) || bytes + c.bytes > shareBytes) {
        producerBlocked = true;
        long t0 = System.nanoTime();
        notFull.await(100, TimeUnit.MILLISECONDS);
        waited += System.nanoTime() - t0;
        pipeline.checkCancelled();
        if (closed) {
          throw new java.util.concurrent.CancellationException("the stage is closed");
        }
      }
      pipeline.charge(stats, c.bytes);
      chunks.addLast(c);
      elements += c.size;
      bytes += c.bytes;
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    if (onChange != null) {
      onChange.run();
    }
    return waited;
  }

  /** The producer is done: at the end of its input, or failed with {@code t}. */
  void finish(Throwable t) {
    lock.lock();
    try {
      finished = true;
      if (failure == null) {
        failure = t;
      }
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    if (onChange != null) {
      onChange.run();
    }
  }

  /**
   * The next chunk, waiting for one; null once the producer has finished and all were taken.
   *
   * @param waitNanos out: nanoseconds spent waiting ({@code waitNanos[0]} is added to)
   */
  Chunk take(long[] waitNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (chunks.isEmpty() && !finished) {
        if (autotune && producerBlocked && depth < maxDepth) {
          // The buffer was full a moment ago and is empty now: it is too shallow to absorb the
          // producer's and consumer's fluctuations.
          depth = Math.min(maxDepth, 2 * depth);
          stats.bufferLimitElements = depth;
        }
        producerBlocked = false;
        consumerWaiting = true;
        long t0 = System.nanoTime();
        try {
          notEmpty.await();
        } finally {
          consumerWaiting = false;
          waitNanos[0] += System.nanoTime() - t0;
        }
      }
      Chunk c = chunks.pollFirst();
      if (c == null) {
        if (failure != null) {
          throw Errors.fatal(stats.name, -1, failure);
        }
        return null;
      }
      elements -= c.size;
      bytes -= c.bytes;
      pipeline.charge(stats, -c.bytes);
      notFull.signal();
      return c;
    } finally {
      lock.unlock();
    }
  }

  /** The next chunk if one is ready, else null (never waits). */
  Chunk poll() {
    lock.lock();
    try {
      Chunk c = chunks.pollFirst();
      if (c != null) {
        elements -= c.size;
        bytes -= c.bytes;
        pipeline.charge(stats, -c.bytes);
        notFull.signal();
      }
      return c;
    } finally {
      lock.unlock();
    }
  }

  boolean hasReady() {
    lock.lock();
    try {
      return !chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  boolean isDone() {
    lock.lock();
    try {
      return finished && chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Refuses further chunks and releases the budget of those never taken. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notFull.signalAll();
      for (Chunk c : chunks) {
        pipeline.charge(stats, -c.bytes);
      }
      chunks.clear();
      elements = 0;
      bytes = 0;
    } finally {
      lock.unlock();
    }
  }
}
