package dev.millrace.data.internal;

import dev.millrace.data.ElementFunction;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.SeededFunction;

/**
 * {@code map} in the caller's thread. A {@link SeededFunction} gets a generator seeded from the
 * element's index, so the result is the same as with a parallel map.
 */
public final class MapOp<I, O> extends Op<O> {
  private final Op<I> input;
  private final ElementFunction<? super I, ? extends O> fn;
  private final SeededFunction<? super I, ? extends O> seeded;

  public MapOp(
      Op<I> input,
      ElementFunction<? super I, ? extends O> fn,
      SeededFunction<? super I, ? extends O> seeded) {
    super("map", false, input);
    this.input = input;
    this.fn = fn;
    this.seeded = seeded;
  }

  @Override
  protected String params() {
    return seeded != null ? "seeded" : "";
  }

  /** Applies the function to element {@code index}; used by the parallel map too. */
  static <I, O> O apply(
      ElementFunction<? super I, ? extends O> fn,
      SeededFunction<? super I, ? extends O> seeded,
      ElementRandom random,
      long seed,
      String stage,
      I x,
      long index) {
    O y;
    try {
      if (seeded != null) {
        random.reset(Seeds.forElement(seed, index));
        y = seeded.apply(x, random);
      } else {
        y = fn.apply(x);
      }
    } catch (Throwable t) {
      throw Errors.element(stage, index, t);
    }
    if (y == null) {
      throw Errors.element(stage, index, new NullPointerException("the function returned null"));
    }
    return y;
  }

  @Override
  public Node<O> open(Ctx ctx) {
    Node<I> in = input.open(ctx);
    StageCounters stats = ctx.register(this, false, in);
    long seed = ctx.seedFor(this, true);
    return new Node<>(stats) {
      final ElementRandom random = seeded == null ? null : new ElementRandom(0);
      long index;

      @Override
      protected O produce() {
        I x = in.pull();
        if (x == null) {
          return null;
        }
        return apply(fn, seeded, random, seed, stats.name, x, index++);
      }

      @Override
      public long skip(long n) {
        long k = in.skip(n);
        index += k;
        return k;
      }

      @Override
      protected void onClose() {
        in.close();
      }
    };
  }
}
