package dev.millrace.data.internal;

/**
 * {@code prefetch}: one thread runs the input ahead of the consumer into a buffer of {@code depth}
 * elements (for {@code AUTOTUNE}, a depth that doubles whenever the consumer finds the buffer empty
 * right after the producer found it full), within the stage's share of the RAM budget.
 */
public final class PrefetchOp<T> extends Op<T> {
  static final long AUTOTUNE_START = 256;
  static final long AUTOTUNE_MAX = 1 << 14;

  private final Op<T> input;

  /** Negative for AUTOTUNE. */
  private final int depth;

  public PrefetchOp(Op<T> input, int depth) {
    super("prefetch", true, input);
    this.input = input;
    this.depth = depth;
  }

  @Override
  protected String params() {
    return depth < 0 ? "AUTOTUNE" : Integer.toString(depth);
  }

  @Override
  public Node<T> open(Ctx ctx) {
    Node<T> in = input.open(ctx);
    StageCounters stats = ctx.register(this, true, in);
    boolean auto = depth < 0;
    ChunkQueue queue =
        new ChunkQueue(
            ctx.pipeline,
            stats,
            ctx.stageShare,
            auto ? AUTOTUNE_START : depth,
            auto ? AUTOTUNE_MAX : depth,
            auto && ctx.pipeline.autotune,
            null);
    return new PrefetchNode<>(stats, ctx.pipeline, in, queue);
  }

  /** The consumer side of a {@link ChunkQueue} fed by a {@link Producer}. */
  static final class PrefetchNode<T> extends Node<T> {
    private final Pipeline pipeline;
    private final Node<T> in;
    private final ChunkQueue queue;
    private final long[] waited = new long[1];
    private Producer<T> producer;
    private Chunk current;
    private int pos;

    PrefetchNode(StageCounters stats, Pipeline pipeline, Node<T> in, ChunkQueue queue) {
      super(stats);
      this.pipeline = pipeline;
      this.in = in;
      this.queue = queue;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected T produce() {
      while (true) {
        Chunk c = current;
        if (c != null && pos < c.size) {
          Object o = c.items[pos];
          c.items[pos++] = null;
          if (o instanceof Chunk.Failure f) {
            throw f.error();
          }
          return (T) o;
        }
        if (producer == null) {
          producer = new Producer<>(in, queue, stats, pipeline);
          pipeline.pool.execute(producer);
        }
        try {
          current = queue.take(waited);
        } catch (InterruptedException e) {
          throw Errors.cancelled(e);
        }
        pos = 0;
        if (current == null) {
          return null;
        }
      }
    }

    @Override
    public long skip(long n) {
      if (producer != null) {
        return super.skip(n);
      }
      return in.skip(n);
    }

    @Override
    protected void onClose() {
      queue.close();
      if (producer != null) {
        producer.awaitDone();
      }
      in.close();
    }
  }
}
