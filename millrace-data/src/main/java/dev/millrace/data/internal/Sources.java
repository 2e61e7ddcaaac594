package dev.millrace.data.internal;

import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/** Sources that need no file: a range of longs, a list, a generator. */
public final class Sources {
  private Sources() {}

  /** {@code start, start + step, ...} up to (excluding) {@code end}. */
  public static final class RangeOp extends Op<Long> {
    private final long start;
    private final long end;
    private final long step;

    public RangeOp(long start, long end, long step) {
      super("range", false);
      if (step == 0) {
        throw new IllegalArgumentException("range step must not be 0");
      }
      this.start = start;
      this.end = end;
      this.step = step;
    }

    @Override
    protected String params() {
      return start + ", " + end + ", " + step;
    }

    private long count() {
      if (step > 0 ? start >= end : start <= end) {
        return 0;
      }
      long span = step > 0 ? end - start : start - end;
      long s = Math.abs(step);
      return (span + s - 1) / s;
    }

    @Override
    public Node<Long> open(Ctx ctx) {
      long total = count();
      return new Node<>(ctx.register(this, false)) {
        long i;

        @Override
        protected Long produce() {
          return i < total ? start + step * i++ : null;
        }

        @Override
        public long skip(long n) {
          long k = Math.min(n, total - i);
          i += k;
          return k;
        }
      };
    }
  }

  /** The elements of an immutable list. */
  public static final class ListOp<T> extends Op<T> {
    private final List<T> items;

    public ListOp(List<T> items) {
      super("fromList", false);
      this.items = List.copyOf(items);
    }

    @Override
    protected String params() {
      return items.size() + " elements";
    }

    @Override
    public Node<T> open(Ctx ctx) {
      return new Node<>(ctx.register(this, false)) {
        int i;

        @Override
        protected T produce() {
          return i < items.size() ? items.get(i++) : null;
        }

        @Override
        public long skip(long n) {
          long k = Math.min(n, items.size() - i);
          i += (int) k;
          return k;
        }
      };
    }
  }

  /** The elements of an iterator made afresh for each iteration. */
  public static final class GeneratorOp<T> extends Op<T> {
    private final Supplier<? extends Iterator<? extends T>> supplier;

    public GeneratorOp(Supplier<? extends Iterator<? extends T>> supplier) {
      super("generator", false);
      this.supplier = supplier;
    }

    @Override
    public Node<T> open(Ctx ctx) {
      StageCounters stats = ctx.register(this, false);
      return new Node<>(stats) {
        Iterator<? extends T> it;
        long index;

        @Override
        protected T produce() {
          try {
            if (it == null) {
              it = supplier.get();
            }
            if (!it.hasNext()) {
              return null;
            }
            T t = it.next();
            if (t == null) {
              throw new NullPointerException("generator returned a null element");
            }
            index++;
            return t;
          } catch (RuntimeException e) {
            throw Errors.fatal(stats.name, index, e);
          }
        }
      };
    }
  }
}
