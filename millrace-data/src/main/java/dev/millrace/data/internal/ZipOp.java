package dev.millrace.data.internal;

import dev.millrace.data.Pair;

/** Pairs the elements of two datasets position by position; ends with the shorter one. */
public final class ZipOp<A, B> extends Op<Pair<A, B>> {
  private final Op<A> first;
  private final Op<B> second;

  public ZipOp(Op<A> first, Op<B> second) {
    super("zip", false, first, second);
    this.first = first;
    this.second = second;
  }

  @Override
  public Node<Pair<A, B>> open(Ctx ctx) {
    Node<A> a = first.open(ctx);
    Node<B> b = second.open(ctx.shifted(first.size()));
    return new Node<>(ctx.register(this, false, a, b)) {
      /** Kept when the second input fails, so the pair stays aligned if iteration goes on. */
      A pending;

      @Override
      protected Pair<A, B> produce() {
        A x = pending != null ? pending : a.pull();
        if (x == null) {
          return null;
        }
        pending = x;
        B y = b.pull();
        pending = null;
        return y == null ? null : new Pair<>(x, y);
      }

      @Override
      public long skip(long n) {
        return Math.min(a.skip(n), b.skip(n));
      }

      @Override
      protected void onClose() {
        try {
          a.close();
        } finally {
          b.close();
        }
      }
    };
  }
}
