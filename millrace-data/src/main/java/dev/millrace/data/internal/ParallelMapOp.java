package dev.millrace.data.internal;

import dev.millrace.data.Batcher;
import dev.millrace.data.ElementFunction;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.PipelineException;
import dev.millrace.data.PipelineTracer;
import dev.millrace.data.SeededFunction;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code map} on several threads. Each worker takes a chunk of consecutive input elements (pulling
 * the input, and so running the stages before it, under one lock), maps them, and admits the result
 * chunk; the consumer reads chunks in input order (or in completion order when not deterministic).
 * Chunks are sized from measured costs to about {@value #TARGET_CHUNK_NANOS} ns of work, so cheap
 * functions pay for locks once per chunk and slow ones still spread across threads.
 *
 * <p>Memory: admitted chunks are charged to the stage's share of the RAM budget and admitted only
 * when they fit, in input order in deterministic mode, so the chunk the consumer needs next can
 * always get in once the consumer drains what is ahead of it. A worker whose chunk cannot be
 * admitted yet (an earlier chunk is still being mapped, or there is no room) leaves it pending and
 * goes on with the next chunk; pending chunks are admitted by whoever makes them fit (the worker
 * that finishes the earlier chunk, the consumer that frees room). Chunks are reserved before they
 * are pulled, at most {@code 2 × threads + 1} at a time, pending ones included, which bounds the
 * memory they hold before admission.
 *
 * <p>Wake-ups are costly (a third of a 5 µs map under KVM), so the consumer and the workers wait on
 * separate conditions and each event wakes only those who can act on it.
 *
 * <p>AUTOTUNE: the stage starts one worker and adds one when the consumer waited for it in a tuning
 * interval while its workers were not blocked on a full buffer; it removes one when the workers
 * mostly wait for the consumer.
 */
public final class ParallelMapOp<I, O> extends Op<O> {
  static final long TARGET_CHUNK_NANOS = 200_000;
  private static final int MAX_CHUNK = 256;
  private static final long TUNE_INTERVAL_NANOS = 20_000_000;

  private final Op<I> input;
  private final ElementFunction<? super I, ? extends O> fn;
  private final SeededFunction<? super I, ? extends O> seeded;

  /** Negative for AUTOTUNE. */
  private final int parallelism;

  public ParallelMapOp(
      Op<I> input,
      ElementFunction<? super I, ? extends O> fn,
      SeededFunction<? super I, ? extends O> seeded,
      int parallelism) {
    super("map", true, input);
    this.input = input;
    this.fn = fn;
    this.seeded = seeded;
    this.parallelism = parallelism;
  }

  @Override
  protected String params() {
    return (parallelism < 0 ? "AUTOTUNE" : Integer.toString(parallelism))
        + (seeded != null ? ", seeded" : "");
  }

  @Override
  public Node<O> open(Ctx ctx) {
    Node<I> in = input.open(ctx);
    StageCounters stats = ctx.register(this, true, in);
    return new Runner(stats, stats, ctx, in, null);
  }

  /**
   * Opens this map with {@code batchOp} fused in (see {@link MapBatchFusion}): the node returns the
   * batches, and both stages keep their names and counters.
   */
  @SuppressWarnings("unchecked")
  <B> Node<B> openWithBatch(
      Ctx ctx, BatchOp<?, B> batchOp, int size, boolean dropRemainder, Batcher<?, ?> batcher) {
    Node<I> in = input.open(ctx);
    StageCounters mapStats = ctx.register(this, true, in);
    StageCounters batchStats = ctx.registerAfter(batchOp, true, mapStats);
    MapBatchFusion fusion = new MapBatchFusion(size, dropRemainder, batcher, batchStats);
    return (Node<B>) new Runner(batchStats, mapStats, ctx, in, fusion);
  }

  private final class Runner extends Node<O> {
    /** The map's counters; the node's own ({@code stats}) are the batch's when one is fused. */
    private final StageCounters mapStats;

    /** The fused batch stage, or null for a plain map. */
    private final MapBatchFusion fusion;

    private final Pipeline pipeline;
    private final Node<I> in;
    private final long seed;
    private final long share;
    private final int maxWorkers;
    private final boolean deterministic;
    private final boolean autotune;

    // Input side, guarded by inputLock.
    private final ReentrantLock inputLock = new ReentrantLock();
    private long nextSeq;
    private long inputIndex;
    private boolean inputDone;

    // Output side, guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();

    /** The consumer waits on it for a ready chunk or the end. */
    private final Condition chunkReady = lock.newCondition();

    /** Workers wait on it for a free reservation (or a higher parallelism target). */
    private final Condition slotFree = lock.newCondition();

    private final Map<Long, Chunk> ready = new HashMap<>();
    private final ArrayDeque<Chunk> readyAnyOrder = new ArrayDeque<>();

    /** Mapped chunks not admitted yet: by sequence number, or in completion order. */
    private final Map<Long, Chunk> pending = new HashMap<>();

    private final ArrayDeque<Chunk> pendingAnyOrder = new ArrayDeque<>();
    private long admitSeq;
    private long consumed;
    private long inFlight;
    private long totalChunks = -1;
    private long bufferedBytes;
    private boolean stopped;
    private Throwable workerFailure;
    private int target;

    // Chunk sizing, written by workers after each chunk.
    private volatile double nanosPerElement = -1;
    private volatile double bytesPerElement = 1;

    // Consumer side.
    private Chunk current;
    private int pos;
    private CountDownLatch workersDone;
    private long consumerWaitNanos;
    private long lastTune;
    private long lastConsumerWait;
    private long lastOutputWait;

    Runner(
        StageCounters stats, StageCounters mapStats, Ctx ctx, Node<I> in, MapBatchFusion fusion) {
      super(stats);
      this.mapStats = mapStats;
      this.fusion = fusion;
      this.pipeline = ctx.pipeline;
      this.in = in;
      this.seed = ctx.seedFor(ParallelMapOp.this, true);
      this.share = ctx.stageShare;
      this.autotune = parallelism < 0 && pipeline.autotune;
      this.maxWorkers = parallelism < 0 ? pipeline.maxParallelism : parallelism;
      this.deterministic = pipeline.deterministic;
      this.target = parallelism < 0 ? 1 : parallelism;
      setParallelism(target);
      stats.shareBytes = share;
    }

    private void setParallelism(int threads) {
      stats.parallelism = threads;
      mapStats.parallelism = threads;
    }

    private long maxInFlight() {
      return 2L * target + 1;
    }

    private int chunkSize() {
      double npe = nanosPerElement;
      if (npe < 0) {
        return fusion != null ? fusion.size : 1;
      }
      long byTime = (long) (TARGET_CHUNK_NANOS / Math.max(1, npe));
      long byBytes = (long) (share / (Math.max(1, bytesPerElement) * (maxInFlight() + 1)));
      if (fusion != null) {
        return fusion.chunkElements(Math.min(byTime, byBytes));
      }
      return (int) Math.max(1, Math.min(MAX_CHUNK, Math.min(byTime, byBytes)));
    }

    private void start() {
      workersDone = new CountDownLatch(maxWorkers);
      lastTune = System.nanoTime();
      for (int i = 0; i < maxWorkers; i++) {
        int id = i;
        try {
          pipeline.pool.execute(() -> work(id));
        } catch (RuntimeException e) {
          for (int k = i; k < maxWorkers; k++) {
            workersDone.countDown();
          }
          throw e;
        }
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected O produce() {
      while (true) {
        Chunk c = current;
        if (c != null && pos < c.size) {
          Object o = c.items[pos];
          c.items[pos++] = null;
          if (o instanceof Chunk.Failure f) {
            throw f.error();
          }
          return (O) o;
        }
        if (workersDone == null) {
          start();
        }
        current = nextChunk();
        pos = 0;
        if (current == null) {
          return null;
        }
      }
    }

    private Chunk nextChunk() {
      try {
        lock.lockInterruptibly();
      } catch (InterruptedException e) {
        throw Errors.cancelled(e);
      }
      try {
        while (true) {
          if (workerFailure != null) {
            throw Errors.fatal(mapStats.name, -1, workerFailure);
          }
          Chunk c = deterministic ? ready.remove(consumed) : readyAnyOrder.pollFirst();
          if (c != null) {
            if (fusion != null) {
              // Nobody pulls the map's own node: count its elements here.
              mapStats.elements += c.sourceElements;
            }
            consumed++;
            inFlight--;
            bufferedBytes -= c.bytes;
            pipeline.charge(stats, -c.bytes);
            admitPending();
            slotFree.signalAll();
            return c;
          }
          if (totalChunks >= 0 && consumed == totalChunks) {
            return null;
          }
          long t0 = System.nanoTime();
          chunkReady.await(TUNE_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
          long t1 = System.nanoTime();
          consumerWaitNanos += t1 - t0;
          tune(t1);
          pipeline.checkCancelled();
        }
      } catch (InterruptedException e) {
        throw Errors.cancelled(e);
      } finally {
        lock.unlock();
      }
    }

    /** Called by the consumer, under the lock, when it had to wait. */
    private void tune(long now) {
      long interval = now - lastTune;
      if (!autotune || interval < TUNE_INTERVAL_NANOS) {
        return;
      }
      long waited = consumerWaitNanos - lastConsumerWait;
      long outputWait = stats.workerOutputWaitNanos.get() - lastOutputWait;
      lastTune = now;
      lastConsumerWait = consumerWaitNanos;
      lastOutputWait = stats.workerOutputWaitNanos.get();
      double consumerWaiting = (double) waited / interval;
      double workersBlocked = (double) outputWait / ((double) interval * target);
      if (consumerWaiting > 0.05 && workersBlocked < 0.2 && target < maxWorkers) {
        target++;
      } else if (consumerWaiting < 0.01 && workersBlocked > 0.6 && target > 1) {
        target--;
      } else {
        return;
      }
      setParallelism(target);
      slotFree.signalAll();
    }

    private void work(int id) {
      ElementRandom random = seeded == null ? null : new ElementRandom(0);
      try {
        while (reserve(id)) {
          if (!runChunk(random)) {
            return;
          }
        }
      } catch (InterruptedException | CancellationException e) {
        // Closed.
      } catch (Throwable t) {
        lock.lock();
        try {
          if (workerFailure == null) {
            workerFailure = t;
          }
          chunkReady.signalAll();
          slotFree.signalAll();
        } finally {
          lock.unlock();
        }
      } finally {
        workersDone.countDown();
      }
    }

    /**
     * Waits until this worker may start a chunk; false when there is nothing more to do. An active
     * worker waiting here waits for the consumer to take chunks: that is the stage's output wait.
     */
    private boolean reserve(int id) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        while (!stopped
            && totalChunks < 0
            && (id >= target || inFlight >= maxInFlight())
            && !pipeline.isCancelled()) {
          boolean blockedByConsumer = id < target;
          long t0 = System.nanoTime();
          slotFree.await();
          if (blockedByConsumer) {
            stats.workerOutputWaitNanos.addAndGet(System.nanoTime() - t0);
          }
        }
        if (stopped || totalChunks >= 0 || pipeline.isCancelled()) {
          return false;
        }
        inFlight++;
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** Consecutive input elements taken under the input lock, and the index of the first. */
    private record Inputs(
        Object[] items, int size, long seq, long base, boolean last, long pullStart) {}

    /** Pulls, maps and admits one chunk; false when the input had nothing left. */
    private boolean runChunk(ElementRandom random) throws InterruptedException {
      long t0 = System.nanoTime();
      Inputs taken = pullChunk();
      if (taken == null) {
        return false;
      }
      long t1 = System.nanoTime();
      Chunk out = mapChunk(taken, random);
      long t2 = System.nanoTime();
      PipelineTracer tracer = pipeline.tracer;
      if (tracer != null) {
        trace(tracer, taken, t1, t2);
      }
      mapStats.workerInputWaitNanos.addAndGet(t1 - t0);
      mapStats.workerBusyNanos.addAndGet(t2 - t1);
      mapStats.producedBytes.addAndGet(out.bytes);
      double npe = (double) (t2 - t0) / taken.size();
      nanosPerElement = nanosPerElement < 0 ? npe : 0.5 * nanosPerElement + 0.5 * npe;
      bytesPerElement = 0.5 * bytesPerElement + 0.5 * ((double) out.bytes / taken.size());
      if (fusion != null) {
        out = fusion.group(out, taken.base(), taken.last());
        long t3 = System.nanoTime();
        if (tracer != null) {
          tracer.work(stats.name, t2, t3);
        }
        stats.workerBusyNanos.addAndGet(t3 - t2);
        stats.producedBytes.addAndGet(out.bytes);
      }
      if (out.bytes > share) {
        throw new IllegalStateException(
            "a chunk of "
                + taken.size()
                + " element(s), "
                + out.bytes
                + " bytes, exceeds "
                + stats.name
                + "'s share of the RAM budget ("
                + share
                + " of "
                + pipeline.ramBudget
                + " bytes); raise Options.ramBudget");
      }
      admit(out);
      return true;
    }

    /**
     * Reports a chunk's mapping and, when the input is synchronous (its stages ran on this thread
     * under the input lock), its pull; pulling an asynchronous input is a hand-over, not work.
     */
    private void trace(PipelineTracer tracer, Inputs taken, long pulled, long mapped) {
      if (!in.stats().async) {
        tracer.work(in.stats().name, taken.pullStart(), pulled);
      }
      tracer.work(mapStats.name, pulled, mapped);
    }

    /**
     * Takes the next chunk of input elements (an upstream failure travels in its element's place);
     * null, with the reservation returned, when the input is exhausted.
     */
    private Inputs pullChunk() throws InterruptedException {
      inputLock.lockInterruptibly();
      try {
        // Timed after the lock is held, so that waiting for it is not counted as the input's work.
        long pullStart = pipeline.tracer != null ? System.nanoTime() : 0;
        if (inputDone) {
          unreserve(-1);
          return null;
        }
        Object[] items = new Object[chunkSize()];
        long base = inputIndex;
        int n = 0;
        while (n < items.length) {
          I x;
          try {
            x = in.pull();
          } catch (PipelineException e) {
            items[n++] = new Chunk.Failure(e);
            inputDone = !e.isElementError();
            break;
          } catch (CancellationException e) {
            throw e;
          } catch (RuntimeException e) {
            items[n++] = new Chunk.Failure(Errors.fatal(mapStats.name, inputIndex + n, e));
            inputDone = true;
            break;
          }
          if (x == null) {
            inputDone = true;
            break;
          }
          items[n++] = x;
        }
        inputIndex += n;
        if (n == 0) {
          unreserve(nextSeq);
          return null;
        }
        long seq = nextSeq++;
        if (inputDone) {
          markEnd(nextSeq);
        }
        return new Inputs(items, n, seq, base, inputDone, pullStart);
      } finally {
        inputLock.unlock();
      }
    }

    @SuppressWarnings("unchecked")
    private Chunk mapChunk(Inputs taken, ElementRandom random) {
      Chunk out = new Chunk(taken.size());
      out.seq = taken.seq();
      Object[] items = taken.items();
      for (int j = 0; j < taken.size(); j++) {
        Object x = items[j];
        items[j] = null;
        if (x instanceof Chunk.Failure) {
          out.add(x, 0);
          continue;
        }
        try {
          O y = MapOp.apply(fn, seeded, random, seed, mapStats.name, (I) x, taken.base() + j);
          out.add(y, Sizes.of(y));
        } catch (PipelineException e) {
          out.add(new Chunk.Failure(e), 0);
        }
      }
      return out;
    }

    private void unreserve(long endAt) {
      lock.lock();
      try {
        inFlight--;
        if (endAt >= 0 && totalChunks < 0) {
          totalChunks = endAt;
          chunkReady.signalAll();
        }
        slotFree.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private void markEnd(long total) {
      lock.lock();
      try {
        totalChunks = total;
        chunkReady.signalAll();
        slotFree.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Hands a mapped chunk over: admitted now if it is next and fits, else left pending. */
    private void admit(Chunk out) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        if (stopped) {
          return;
        }
        if (deterministic) {
          pending.put(out.seq, out);
        } else {
          pendingAnyOrder.addLast(out);
        }
        admitPending();
      } finally {
        lock.unlock();
      }
    }

    /**
     * Under the lock: admits pending chunks, in order in deterministic mode, while they fit in the
     * stage's share, and wakes the consumer if any was admitted.
     */
    private void admitPending() {
      boolean admitted = false;
      while (true) {
        Chunk c = deterministic ? pending.get(admitSeq) : pendingAnyOrder.peekFirst();
        if (c == null || bufferedBytes + c.bytes > share) {
          break;
        }
        if (deterministic) {
          pending.remove(admitSeq);
          ready.put(c.seq, c);
          admitSeq++;
        } else {
          pendingAnyOrder.pollFirst();
          readyAnyOrder.addLast(c);
        }
        bufferedBytes += c.bytes;
        pipeline.charge(stats, c.bytes);
        admitted = true;
      }
      if (admitted) {
        chunkReady.signal();
      }
    }

    @Override
    public long skip(long n) {
      if (workersDone != null) {
        return super.skip(n);
      }
      if (fusion != null) {
        return skipBatches(n);
      }
      long k = in.skip(n);
      inputIndex += k;
      return k;
    }

    /** Skips {@code n} batches before the workers start, as the separate batch stage would. */
    private long skipBatches(long n) {
      int size = fusion.size;
      long want = Math.multiplyExact(n, (long) size);
      long m = in.skip(want);
      inputIndex += m;
      if (m < want) {
        // The input ended: nothing is left for the workers.
        inputDone = true;
        totalChunks = nextSeq;
      }
      return BatchOp.batchesOf(m, size, m < want, fusion.dropRemainder);
    }

    @Override
    protected void onClose() {
      lock.lock();
      try {
        stopped = true;
        chunkReady.signalAll();
        slotFree.signalAll();
        pending.clear();
        pendingAnyOrder.clear();
        for (Chunk c : ready.values()) {
          pipeline.charge(stats, -c.bytes);
        }
        for (Chunk c : readyAnyOrder) {
          pipeline.charge(stats, -c.bytes);
        }
        ready.clear();
        readyAnyOrder.clear();
      } finally {
        lock.unlock();
      }
      if (workersDone != null) {
        boolean interrupted = Thread.interrupted();
        try {
          workersDone.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
      in.close();
    }
  }
}
