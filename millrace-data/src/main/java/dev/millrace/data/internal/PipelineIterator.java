package dev.millrace.data.internal;

import dev.millrace.data.DatasetIterator;
import dev.millrace.data.IteratorCheckpoint;
import dev.millrace.data.Options;
import dev.millrace.data.PipelineStats;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/** The iterator over a pipeline's root node; see {@link DatasetIterator}. */
public final class PipelineIterator<T> implements DatasetIterator<T> {
  /** Stops the threads of iterators dropped without close (a safety net; close them). */
  private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

  private final Pipeline pipeline;
  private final java.lang.ref.Cleaner.Cleanable cleanable;
  private final Node<T> root;
  private final long fingerprint;
  private long position;
  private T buffered;
  private boolean ended;
  private volatile boolean closed;
  private volatile long endNanos;

  /** Set while the consumer is inside the pipeline, so a close from another thread waits. */
  private final java.util.concurrent.atomic.AtomicBoolean inside =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final java.util.concurrent.atomic.AtomicBoolean nodesClosed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private PipelineIterator(Pipeline pipeline, Node<T> root, long fingerprint) {
    this.pipeline = pipeline;
    this.root = root;
    this.fingerprint = fingerprint;
    this.cleanable = CLEANER.register(this, pipeline::cancelAsync);
  }

  /** A 64-bit FNV-1a hash of the pipeline's description. */
  public static long fingerprint(Op<?> op) {
    long h = 0xcbf29ce484222325L;
    for (char c : op.describe().toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    return h;
  }

  /** Opens the pipeline, at the start or at {@code from}'s position. */
  public static <T> PipelineIterator<T> open(Op<T> op, Options options, IteratorCheckpoint from) {
    long fingerprint = fingerprint(op);
    if (from != null && from.fingerprint() != fingerprint) {
      throw new IllegalArgumentException(
          "the checkpoint was taken from another pipeline (fingerprint "
              + Long.toHexString(from.fingerprint())
              + ", this pipeline's is "
              + Long.toHexString(fingerprint)
              + ": "
              + op.describe()
              + ")");
    }
    long seed =
        from != null
            ? from.seed()
            : options.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    Map<String, long[]> hints = from == null ? Map.of() : from.epochLengths();
    Pipeline pipeline =
        new Pipeline(
            seed,
            options.ramBudget(),
            options.maxParallelism(),
            options.deterministic(),
            options.autotune(),
            options.tracer().orElse(null),
            hints);
    Node<T> root = null;
    try {
      root = op.open(Ctx.root(pipeline, op));
      PipelineIterator<T> it = new PipelineIterator<>(pipeline, root, fingerprint);
      if (from != null && from.position() > 0) {
        it.position = root.skip(from.position());
        it.ended = it.position < from.position();
      }
      return it;
    } catch (RuntimeException | Error e) {
      pipeline.cancelAndJoin();
      if (root != null) {
        root.close();
      }
      throw e;
    }
  }

  @Override
  public boolean hasNext() {
    if (buffered != null) {
      return true;
    }
    if (ended || closed) {
      return false;
    }
    buffered = fetch();
    return buffered != null;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException(
          closed && !ended ? "the iterator is closed" : "no more elements");
    }
    T x = buffered;
    buffered = null;
    position++;
    return x;
  }

  private T fetch() {
    if (Thread.currentThread().isInterrupted()) {
      close();
      throw new CancellationException("the consumer thread was interrupted");
    }
    inside.set(true);
    try {
      if (closed) {
        throw new CancellationException("the iterator was closed");
      }
      T x = root.pull();
      if (x == null) {
        ended = true;
        endNanos = System.nanoTime();
      }
      return x;
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    } finally {
      inside.set(false);
      if (closed) {
        closeNodes();
      }
    }
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public IteratorCheckpoint checkpoint() {
    if (!pipeline.deterministic) {
      throw new IllegalStateException(
          "cannot checkpoint a non-deterministic pipeline (Options.deterministic(false))");
    }
    Map<String, long[]> lengths = new HashMap<>();
    pipeline.epochLengths.forEach(
        (name, list) -> {
          synchronized (list) {
            lengths.put(name, RepeatOp.toArray(list));
          }
        });
    return new IteratorCheckpoint(fingerprint, pipeline.seed, position, lengths);
  }

  @Override
  public PipelineStats stats() {
    long end = endNanos;
    long wall = (end != 0 ? end : System.nanoTime()) - pipeline.startNanos;
    var stages = pipeline.registry.snapshot();
    String rootName = root.stats().name;
    return new PipelineStats(
        stages,
        wall,
        position + (buffered != null ? 1 : 0),
        pipeline.registry.inclusiveNanos(rootName),
        pipeline.ramBudget,
        pipeline.peakBufferedBytes());
  }

  /** The pipeline's shared state (for tests of this package). */
  public Pipeline pipeline() {
    return pipeline;
  }

  /**
   * Stops and joins every thread, then closes the stages. Called from another thread while the
   * consumer is inside {@code next()}, it leaves closing the stages to the consumer, which gets a
   * {@link CancellationException}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
    buffered = null;
    pipeline.cancelAndJoin();
    cleanable.clean();
    if (!inside.get()) {
      closeNodes();
    }
  }

  private void closeNodes() {
    if (nodesClosed.compareAndSet(false, true)) {
      root.close();
    }
  }
}
