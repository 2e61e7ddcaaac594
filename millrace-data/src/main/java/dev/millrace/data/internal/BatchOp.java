package dev.millrace.data.internal;

import dev.millrace.data.Batcher;

/**
 * Groups {@code size} consecutive elements and hands them to a {@link Batcher}; the last, smaller
 * group is kept unless {@code dropRemainder}. Elements collected so far survive an input error, so
 * {@code ignoreErrors} downstream loses only the failed element.
 *
 * <p>After a parallel {@code map}, with a batcher that may run on several threads at once and no
 * {@code ignoreErrors} downstream, the batch is fused into the map (see {@link MapBatchFusion}).
 */
public final class BatchOp<T, B> extends Op<B> {
  private final Op<T> input;
  private final int size;
  private final boolean dropRemainder;
  private final Batcher<? super T, ? extends B> batcher;
  private final String batcherName;
  private final boolean batcherThreadSafe;

  /**
   * @param batcherThreadSafe whether {@code batcher} may be called from several threads at once,
   *     which lets a parallel map before this stage stack the batches on its workers
   */
  public BatchOp(
      Op<T> input,
      int size,
      boolean dropRemainder,
      Batcher<? super T, ? extends B> batcher,
      String batcherName,
      boolean batcherThreadSafe) {
    super("batch", false, input);
    if (size < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + size);
    }
    this.input = input;
    this.size = size;
    this.dropRemainder = dropRemainder;
    this.batcher = batcher;
    this.batcherName = batcherName;
    this.batcherThreadSafe = batcherThreadSafe;
  }

  @Override
  protected String params() {
    return size + ", dropRemainder=" + dropRemainder + ", " + batcherName;
  }

  /**
   * The batches that {@code elements} consecutive elements make: whole ones, plus the smaller last
   * one if the input {@code ended} there and the remainder is kept.
   */
  static long batchesOf(long elements, int size, boolean ended, boolean dropRemainder) {
    boolean partial = ended && elements % size > 0 && !dropRemainder;
    return elements / size + (partial ? 1 : 0);
  }

  @Override
  public Node<B> open(Ctx ctx) {
    // Fused, a failed element fails its whole batch; only ignoreErrors could tell the difference.
    if (input instanceof ParallelMapOp<?, ?> map && batcherThreadSafe && !ctx.skipCorrupt) {
      return map.openWithBatch(ctx, this, size, dropRemainder, batcher);
    }
    Node<T> in = input.open(ctx);
    StageCounters stats = ctx.register(this, false, in);
    return new Node<>(stats) {
      final ElementView<T> view = new ElementView<>(size);
      boolean ended;
      long batches;

      @Override
      @SuppressWarnings("unchecked")
      protected B produce() {
        if (ended) {
          return null;
        }
        Object[] items = view.items;
        while (view.size < size) {
          T x = in.pull();
          if (x == null) {
            ended = true;
            break;
          }
          items[view.size++] = x;
        }
        int n = view.size;
        if (n == 0 || (ended && dropRemainder && n < size)) {
          clear();
          return null;
        }
        long index = batches++;
        B b;
        try {
          b = ((Batcher<T, ? extends B>) batcher).batch(view);
        } catch (Throwable t) {
          throw Errors.element(stats.name, index, t);
        } finally {
          clear();
        }
        if (b == null) {
          throw Errors.element(
              stats.name, index, new NullPointerException("the batcher returned null"));
        }
        return b;
      }

      private void clear() {
        view.reset();
      }

      @Override
      public long skip(long n) {
        if (view.size > 0 || ended) {
          return super.skip(n);
        }
        long want = Math.multiplyExact(n, (long) size);
        long m = in.skip(want);
        ended = m < want;
        long skipped = batchesOf(m, size, ended, dropRemainder);
        batches += skipped;
        return skipped;
      }

      @Override
      protected void onClose() {
        in.close();
      }
    };
  }
}
