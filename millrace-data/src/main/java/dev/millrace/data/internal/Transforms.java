package dev.millrace.data.internal;

import dev.millrace.data.Batch;
import dev.millrace.data.ElementPredicate;
import dev.millrace.data.Features;
import dev.millrace.data.PipelineException;
import java.util.List;

/** The one-input transformations that need no buffer: filter, take, skip, shard, and friends. */
public final class Transforms {
  private Transforms() {}

  private abstract static class Unary<T> extends Node<T> {
    final Node<T> in;

    Unary(StageCounters stats, Node<T> in) {
      super(stats);
      this.in = in;
    }

    @Override
    protected void onClose() {
      in.close();
    }
  }

  /** Keeps the elements the predicate accepts. */
  public static final class FilterOp<T> extends Op<T> {
    private final Op<T> input;
    private final ElementPredicate<? super T> predicate;

    public FilterOp(Op<T> input, ElementPredicate<? super T> predicate) {
      super("filter", false, input);
      this.input = input;
      this.predicate = predicate;
    }

    @Override
    public Node<T> open(Ctx ctx) {
      Node<T> in = input.open(ctx);
      StageCounters stats = ctx.register(this, false, in);
      return new Unary<>(stats, in) {
        long index;

        @Override
        protected T produce() {
          while (true) {
            T x = in.pull();
            if (x == null) {
              return null;
            }
            long i = index++;
            boolean keep;
            try {
              keep = predicate.test(x);
            } catch (Throwable t) {
              throw Errors.element(stats.name, i, t);
            }
            if (keep) {
              return x;
            }
            stats.dropped.incrementAndGet();
          }
        }
      };
    }
  }

  /** The first {@code count} elements. */
  public static final class TakeOp<T> extends Op<T> {
    private final Op<T> input;
    private final long count;

    public TakeOp(Op<T> input, long count) {
      super("take", false, input);
      this.input = input;
      this.count = count;
    }

    @Override
    protected String params() {
      return Long.toString(count);
    }

    @Override
    public Node<T> open(Ctx ctx) {
      Node<T> in = input.open(ctx);
      return new Unary<>(ctx.register(this, false, in), in) {
        long taken;

        @Override
        protected T produce() {
          if (taken >= count) {
            return null;
          }
          T x = in.pull();
          if (x != null) {
            taken++;
          }
          return x;
        }

        @Override
        public long skip(long n) {
          long k = in.skip(Math.min(n, count - taken));
          taken += k;
          return k;
        }
      };
    }
  }

  /** All but the first {@code count} elements (which are computed and dropped, as in tf.data). */
  public static final class SkipOp<T> extends Op<T> {
    private final Op<T> input;
    private final long count;

    public SkipOp(Op<T> input, long count) {
      super("skip", false, input);
      this.input = input;
      this.count = count;
    }

    @Override
    protected String params() {
      return Long.toString(count);
    }

    @Override
    public Node<T> open(Ctx ctx) {
      Node<T> in = input.open(ctx);
      StageCounters stats = ctx.register(this, false, in);
      return new Unary<>(stats, in) {
        long skipped;

        @Override
        protected T produce() {
          while (skipped < count) {
            if (in.pull() == null) {
              return null;
            }
            skipped++;
            stats.dropped.incrementAndGet();
          }
          return in.pull();
        }

        @Override
        public long skip(long n) {
          if (skipped < count) {
            long k = in.skip(count - skipped);
            skipped += k;
            if (skipped < count) {
              return 0;
            }
          }
          return in.skip(n);
        }
      };
    }
  }

  /** Elements {@code index, index + shards, index + 2 shards, ...}. */
  public static final class ShardOp<T> extends Op<T> {
    private final Op<T> input;
    private final long shards;
    private final long index;

    public ShardOp(Op<T> input, long shards, long index) {
      super("shard", false, input);
      this.input = input;
      this.shards = shards;
      this.index = index;
    }

    @Override
    protected String params() {
      return shards + ", " + index;
    }

    @Override
    public Node<T> open(Ctx ctx) {
      Node<T> in = input.open(ctx);
      StageCounters stats = ctx.register(this, false, in);
      return new Unary<>(stats, in) {
        /** Input elements to drop before the next one kept; kept in a field so errors resume. */
        long toDrop = index;

        @Override
        protected T produce() {
          while (toDrop > 0) {
            if (in.pull() == null) {
              return null;
            }
            toDrop--;
            stats.dropped.incrementAndGet();
          }
          toDrop = shards - 1;
          return in.pull();
        }

        @Override
        public long skip(long n) {
          long done = 0;
          while (done < n) {
            long k = in.skip(toDrop);
            toDrop -= k;
            if (toDrop > 0) {
              return done;
            }
            toDrop = shards - 1;
            if (in.skip(1) == 0) {
              return done;
            }
            done++;
          }
          return done;
        }
      };
    }
  }

  /**
   * Drops elements whose computation failed (a user function threw, a record could not be decoded)
   * and has sources upstream skip corrupt records; counts both.
   */
  public static final class IgnoreErrorsOp<T> extends Op<T> {
    private final Op<T> input;

    public IgnoreErrorsOp(Op<T> input) {
      super("ignoreErrors", false, input);
      this.input = input;
    }

    @Override
    public Node<T> open(Ctx ctx) {
      StageCounters stats = ctx.registerFirst(this, false);
      Node<T> in = input.open(ctx.withSkipCorrupt(stats));
      stats.addInput(in.stats().name);
      return new Unary<>(stats, in) {
        @Override
        protected T produce() {
          while (true) {
            try {
              return in.pull();
            } catch (PipelineException e) {
              if (!e.isElementError()) {
                throw e;
              }
              stats.dropped.incrementAndGet();
            }
          }
        }
      };
    }
  }

  /**
   * Splits batches back into elements: a {@link Batch} into {@link Features}, a list into items.
   */
  public static final class UnbatchOp<R> extends Op<R> {
    private final Op<?> input;

    public UnbatchOp(Op<?> input) {
      super("unbatch", false, input);
      this.input = input;
    }

    @Override
    public Node<R> open(Ctx ctx) {
      Node<?> in = input.open(ctx);
      StageCounters stats = ctx.register(this, false, in);
      return new Node<>(stats) {
        Object current;
        int size;
        int pos;
        long batches;

        @Override
        @SuppressWarnings("unchecked")
        protected R produce() {
          while (current == null || pos == size) {
            Object b = in.pull();
            if (b == null) {
              current = null;
              return null;
            }
            batches++;
            current = b;
            pos = 0;
            size =
                switch (b) {
                  case Batch batch -> batch.size();
                  case List<?> list -> list.size();
                  default ->
                      throw Errors.fatal(
                          stats.name,
                          batches - 1,
                          new IllegalArgumentException(
                              "unbatch needs Batch or List elements, got "
                                  + b.getClass().getName()));
                };
          }
          int i = pos++;
          return (R) (current instanceof Batch b ? b.element(i) : ((List<?>) current).get(i));
        }

        @Override
        protected void onClose() {
          in.close();
        }
      };
    }
  }
}
