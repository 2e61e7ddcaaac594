package dev.millrace.data.internal;

import dev.millrace.data.ElementFunction;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * tf.data's interleave: keeps {@code cycleLength} datasets open, made from consecutive input
 * elements, and takes {@code blockLength} elements from each in turn; an exhausted dataset's place
 * goes to the next input element. The order is TensorFlow's, element for element (see {@code
 * InterleaveDatasetOp}), with or without parallelism.
 *
 * <p>With parallelism each open dataset gets a producer thread that fills a bounded buffer of
 * chunks (at most {@code parallelism} fill at once), and the consumer reads the buffers in the
 * cycle order; when not deterministic, the consumer takes from any buffer that has elements rather
 * than wait for the one whose turn it is. The stage's share of the RAM budget is split between the
 * cycle's slots, and each slot's between its buffer and its dataset's own buffers.
 */
public final class InterleaveOp<T, R> extends Op<R> {
  private final Op<T> input;
  private final ElementFunction<? super T, ? extends Op<R>> fn;
  private final int cycleLength;
  private final int blockLength;

  /** 0: sequential; negative: AUTOTUNE. */
  private final int parallelism;

  public InterleaveOp(
      Op<T> input,
      ElementFunction<? super T, ? extends Op<R>> fn,
      int cycleLength,
      int blockLength,
      int parallelism) {
    super("interleave", true, input);
    if (cycleLength < 1 || blockLength < 1) {
      throw new IllegalArgumentException(
          "cycleLength and blockLength must be >= 1, got " + cycleLength + ", " + blockLength);
    }
    this.input = input;
    this.fn = fn;
    this.cycleLength = cycleLength;
    this.blockLength = blockLength;
    this.parallelism = parallelism;
  }

  @Override
  protected String params() {
    return cycleLength
        + ", "
        + blockLength
        + ", "
        + (parallelism < 0 ? "AUTOTUNE" : parallelism == 0 ? "sequential" : parallelism);
  }

  @Override
  public Node<R> open(Ctx ctx) {
    Node<T> in = input.open(ctx);
    StageCounters stats = ctx.register(this, parallelism != 0, in);
    return new Cycle(stats, ctx, in);
  }

  /** One open dataset of the cycle. */
  private static final class Slot<R> {
    final Node<R> node;
    ChunkQueue queue;
    Producer<R> producer;
    Chunk current;
    int pos;

    Slot(Node<R> node) {
      this.node = node;
    }
  }

  private final class Cycle extends Node<R> {
    private final Ctx ctx;
    private final Node<T> in;
    private final boolean parallel;
    private final boolean deterministic;
    private final Semaphore gate;
    private final long slotRegion;
    private final Slot<?>[] slots = new Slot<?>[cycleLength];
    private final ReentrantLock readyLock = new ReentrantLock();
    private final Condition anyReady = readyLock.newCondition();
    private final long[] waited = new long[1];
    private int cycleIndex;
    private int blockIndex;
    private int numOpen;
    private boolean endOfInput;
    private long inputIndex;
    private boolean started;

    Cycle(StageCounters stats, Ctx ctx, Node<T> in) {
      super(stats);
      this.ctx = ctx;
      this.in = in;
      this.parallel = parallelism != 0;
      this.deterministic = ctx.pipeline.deterministic;
      int threads =
          parallelism < 0 ? Math.min(cycleLength, ctx.pipeline.maxParallelism) : parallelism;
      this.gate = parallel ? new Semaphore(Math.max(1, threads)) : null;
      this.slotRegion = ctx.stageShare / cycleLength;
      stats.parallelism = parallel ? Math.max(1, Math.min(threads, cycleLength)) : 1;
      stats.shareBytes = parallel ? ctx.stageShare : 0;
    }

    private void advanceCycle() {
      blockIndex = 0;
      cycleIndex = (cycleIndex + 1) % cycleLength;
    }

    /** Opens the dataset of the next input element in the current slot; false at input's end. */
    private boolean openNext() {
      T x = in.pull();
      if (x == null) {
        endOfInput = true;
        return false;
      }
      long index = inputIndex++;
      Op<R> op;
      try {
        op = fn.apply(x);
      } catch (Throwable t) {
        throw Errors.element(stats.name, index, t);
      }
      if (op == null) {
        throw Errors.element(
            stats.name, index, new NullPointerException("the function returned no dataset"));
      }
      Ctx nested = ctx.nested(stats.name, op, slotRegion, parallel ? 1 : 0, index);
      Slot<R> slot = new Slot<>(op.open(nested));
      stats.addInput(slot.node.stats().name);
      if (parallel) {
        slot.queue =
            new ChunkQueue(
                ctx.pipeline,
                stats,
                nested.stageShare,
                PrefetchOp.AUTOTUNE_START,
                PrefetchOp.AUTOTUNE_MAX,
                ctx.pipeline.autotune,
                this::signalReady);
        stats.shareBytes = ctx.stageShare;
        if (started) {
          startProducer(slot);
        }
      }
      slots[cycleIndex] = slot;
      numOpen++;
      return true;
    }

    private void startProducer(Slot<?> slot) {
      startTyped(slot);
    }

    private <E> void startTyped(Slot<E> slot) {
      slot.producer = new Producer<>(slot.node, slot.queue, stats, ctx.pipeline, gate);
      ctx.pipeline.pool.execute(slot.producer);
    }

    private void signalReady() {
      readyLock.lock();
      try {
        anyReady.signalAll();
      } finally {
        readyLock.unlock();
      }
    }

    private void closeSlot(int i) {
      Slot<?> s = slots[i];
      slots[i] = null;
      numOpen--;
      if (s.queue != null) {
        s.queue.close();
      }
      if (s.producer != null) {
        s.producer.awaitDone();
      }
      s.node.close();
    }

    @Override
    protected R produce() {
      if (parallel && !started) {
        started = true;
        for (Slot<?> s : slots) {
          if (s != null) {
            startProducer(s);
          }
        }
      }
      while (!endOfInput || numOpen > 0) {
        Slot<?> s = slots[cycleIndex];
        if (s != null) {
          Object x = parallel ? fromBuffer(s) : s.node.pull();
          if (x != NOT_READY) {
            if (x != null) {
              if (++blockIndex == blockLength) {
                advanceCycle();
              }
              @SuppressWarnings("unchecked")
              R r = (R) x;
              return r;
            }
            closeSlot(cycleIndex);
            advanceCycle();
          }
        } else if (!endOfInput) {
          openNext();
        } else {
          advanceCycle();
        }
      }
      return null;
    }

    /**
     * The slot's next element, null at its end, or NOT_READY when another slot's element was chosen
     * instead (not deterministic) and the cycle moved there.
     */
    private Object fromBuffer(Slot<?> s) {
      while (true) {
        Chunk c = s.current;
        if (c != null && s.pos < c.size) {
          Object o = c.items[s.pos];
          c.items[s.pos++] = null;
          if (o instanceof Chunk.Failure f) {
            throw f.error();
          }
          return o;
        }
        try {
          if (!deterministic && !s.queue.hasReady() && !s.queue.isDone() && switchToReady()) {
            return NOT_READY;
          }
          s.current = s.queue.take(waited);
        } catch (InterruptedException e) {
          throw Errors.cancelled(e);
        }
        s.pos = 0;
        if (s.current == null) {
          return null;
        }
      }
    }

    /** Moves the cycle to a slot with elements ready, waiting a little; false if none is. */
    private boolean switchToReady() throws InterruptedException {
      readyLock.lockInterruptibly();
      try {
        for (int round = 0; round < 2; round++) {
          for (int k = 1; k < cycleLength; k++) {
            int i = (cycleIndex + k) % cycleLength;
            Slot<?> o = slots[i];
            if (o != null
                && ((o.current != null && o.pos < o.current.size) || o.queue.hasReady())) {
              cycleIndex = i;
              blockIndex = 0;
              return true;
            }
          }
          if (round == 0) {
            anyReady.await(1, TimeUnit.MILLISECONDS);
          }
        }
        return false;
      } finally {
        readyLock.unlock();
      }
    }

    @Override
    public long skip(long n) {
      if (started) {
        return super.skip(n);
      }
      long done = 0;
      while (done < n && (!endOfInput || numOpen > 0)) {
        Slot<?> s = slots[cycleIndex];
        if (s != null) {
          long want = Math.min(blockLength - blockIndex, n - done);
          long k = s.node.skip(want);
          done += k;
          blockIndex += (int) k;
          if (k < want) {
            closeSlot(cycleIndex);
            advanceCycle();
          } else if (blockIndex == blockLength) {
            advanceCycle();
          }
        } else if (!endOfInput) {
          openNext();
        } else {
          advanceCycle();
        }
      }
      return done;
    }

    @Override
    protected void onClose() {
      try {
        for (int i = 0; i < cycleLength; i++) {
          if (slots[i] != null) {
            closeSlot(i);
          }
        }
      } finally {
        in.close();
      }
    }
  }

  private static final Object NOT_READY = new Object();
}
