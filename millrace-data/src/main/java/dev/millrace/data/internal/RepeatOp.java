package dev.millrace.data.internal;

import java.util.List;

/**
 * Reopens its input {@code count} times (or forever, for a negative count), each epoch with its own
 * epoch number so that reshuffling shuffles and seeded maps differ from epoch to epoch. Ends when
 * an epoch produces nothing, as tf.data's repeat of an empty dataset does.
 *
 * <p>A top-level repeat records each epoch's length; a checkpoint carries them, and restoring skips
 * whole epochs without opening them.
 */
public final class RepeatOp<T> extends Op<T> {
  private final Op<T> input;
  private final long count;

  public RepeatOp(Op<T> input, long count) {
    super("repeat", false, input);
    this.input = input;
    this.count = count;
  }

  @Override
  protected String params() {
    return count < 0 ? "forever" : Long.toString(count);
  }

  @Override
  public Node<T> open(Ctx ctx) {
    StageCounters stats = ctx.registerFirst(this, false);
    stats.addInput(ctx.name(input));
    return new RepeatNode(stats, ctx);
  }

  private final class RepeatNode extends Node<T> {
    private final Ctx ctx;
    private final long[] hints;
    private Node<T> current;
    private long epoch;
    private long inEpoch;
    private boolean ended;

    RepeatNode(StageCounters stats, Ctx ctx) {
      super(stats);
      this.ctx = ctx;
      this.hints = ctx.topScope() ? ctx.pipeline.restoredEpochLengths.get(stats.name) : null;
    }

    private boolean openEpoch() {
      if (count >= 0 && epoch >= count) {
        return false;
      }
      ctx.pipeline.checkCancelled();
      current = input.open(ctx.withEpoch(epoch));
      inEpoch = 0;
      return true;
    }

    /** Closes the finished epoch; false if it was empty (the end, even when repeating forever). */
    private boolean endEpoch() {
      current.close();
      current = null;
      if (ctx.topScope()) {
        ctx.pipeline.recordEpoch(stats.name, inEpoch);
      }
      epoch++;
      return inEpoch > 0;
    }

    @Override
    protected T produce() {
      while (!ended) {
        if (current == null && !openEpoch()) {
          ended = true;
          return null;
        }
        T x = current.pull();
        if (x != null) {
          inEpoch++;
          return x;
        }
        if (!endEpoch()) {
          ended = true;
        }
      }
      return null;
    }

    @Override
    public long skip(long n) {
      long done = 0;
      while (done < n && !ended) {
        if (current == null) {
          if (hints != null
              && epoch < hints.length
              && n - done >= hints[(int) epoch]
              && hints[(int) epoch] > 0
              && (count < 0 || epoch < count)) {
            // Known from the checkpoint: skip the whole epoch without opening it.
            done += hints[(int) epoch];
            ctx.pipeline.recordEpoch(stats.name, hints[(int) epoch]);
            epoch++;
            continue;
          }
          if (!openEpoch()) {
            ended = true;
            return done;
          }
        }
        long k = current.skip(n - done);
        done += k;
        inEpoch += k;
        if (done < n && !endEpoch()) {
          ended = true;
          return done;
        }
      }
      return done;
    }

    @Override
    protected void onClose() {
      if (current != null) {
        current.close();
      }
    }
  }

  static long[] toArray(List<Long> lengths) {
    long[] a = new long[lengths.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = lengths.get(i);
    }
    return a;
  }
}
