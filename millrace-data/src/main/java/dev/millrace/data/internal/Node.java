package dev.millrace.data.internal;

/**
 * One running stage of one iterator. Downstream calls {@link #pull()}; subclasses implement {@link
 * #produce()}. A node is pulled by one thread at a time.
 *
 * <p>Errors: {@code produce} throws only unchecked exceptions: {@link
 * dev.millrace.data.PipelineException} for a failed element (the node can go on with the next one)
 * or a fatal failure (it cannot), {@link java.util.concurrent.CancellationException} when the
 * iterator is closed or the consumer interrupted, and the usual programming errors.
 *
 * @param <T> element type
 */
public abstract class Node<T> {
  protected final StageCounters stats;
  private int countdown = 1;

  /** The calls the next sample stands for: the length of the countdown that ends at it. */
  private int gap = 1;

  private int sampleInterval = 1;
  private long rng = 0x9E3779B97F4A7C15L;
  private double meanSampleNanos = -1;

  protected Node(StageCounters stats) {
    this.stats = stats;
  }

  /** The next element, or {@code null} at the end of the sequence. */
  public final T pull() {
    if (--countdown > 0) {
      T t = produce();
      stats.calls++;
      if (t != null) {
        stats.elements++;
      }
      return t;
    }
    return pullSampled();
  }

  private T pullSampled() {
    int w = gap;
    long t0 = System.nanoTime();
    T t;
    try {
      t = produce();
    } finally {
      long dt = System.nanoTime() - t0;
      if (sampleInterval > 1 && meanSampleNanos > 0) {
        // A sample stands for ~sampleInterval calls: one that caught the thread descheduled
        // would be multiplied by as much, so clip it.
        dt = Math.min(dt, (long) (50 * meanSampleNanos) + 1_000);
      }
      StageCounters s = stats;
      s.calls++;
      // Weighted by the calls it stands for: the first calls are timed one by one (and are slow,
      // before the JIT), later ones one in ~64; unweighted, those cold samples counted 64 times
      // too much and a stage could show 200% busy on one thread.
      s.sampledCalls += w;
      s.sampledNanos += dt * w;
      meanSampleNanos = meanSampleNanos < 0 ? dt : 0.9 * meanSampleNanos + 0.1 * dt;
      // Time one call in ~64 when calls are cheap, every call when they are slow enough that
      // the clock's cost does not matter; the random gap keeps periodic patterns (a batch of
      // 128, a chunk boundary) from biasing the sample.
      sampleInterval = meanSampleNanos < 2_000 ? 64 : meanSampleNanos < 20_000 ? 8 : 1;
      rng ^= rng << 13;
      rng ^= rng >>> 7;
      rng ^= rng << 17;
      countdown = sampleInterval == 1 ? 1 : 1 + (int) ((rng >>> 33) % (2 * sampleInterval));
      gap = countdown;
    }
    if (t != null) {
      stats.elements++;
      stats.sampledElements += w;
      stats.sampledBytes += Sizes.of(t) * w;
    }
    return t;
  }

  /** Computes the next element; {@code null} at the end. */
  protected abstract T produce();

  /**
   * Skips up to {@code n} elements, as if pulled and dropped, and returns how many were skipped
   * (fewer at the end). Used to restore a checkpoint, before any pull; nodes that can skip without
   * computing the skipped elements (a 1:1 map, a range, a batch of known size) override this.
   */
  public long skip(long n) {
    long done = 0;
    while (done < n && produce() != null) {
      done++;
    }
    return done;
  }

  private boolean closed;

  /**
   * Releases the node's resources and its inputs', and folds its counters into its stage's totals.
   * Called once the threads that pulled it have stopped; idempotent.
   */
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      onClose();
    } finally {
      stats.retire();
    }
  }

  /** Closes inputs and resources; overridden by nodes that have them. */
  protected void onClose() {}

  public StageCounters stats() {
    return stats;
  }
}
