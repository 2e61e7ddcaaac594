package dev.millrace.data.internal;

import dev.millrace.data.ElementRandom;
import java.util.Arrays;

/**
 * tf.data's shuffle: fills a buffer of {@code bufferSize} elements, then hands out a uniformly
 * chosen one and refills its place from the input. The generator's seed is the given seed (or one
 * derived from the pipeline's) mixed with the epoch when reshuffling each iteration, so every run
 * with a seed yields the same orders.
 *
 * <p>Restoring a checkpoint replays the shuffle's input for the current epoch (its output depends
 * on every element it has seen); stages after it are skipped without running.
 */
public final class ShuffleOp<T> extends Op<T> {
  private final Op<T> input;
  private final int bufferSize;
  private final Long seed;
  private final boolean reshuffleEachIteration;

  public ShuffleOp(Op<T> input, int bufferSize, Long seed, boolean reshuffleEachIteration) {
    super("shuffle", false, input);
    if (bufferSize < 1) {
      throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + bufferSize);
    }
    this.input = input;
    this.bufferSize = bufferSize;
    this.seed = seed;
    this.reshuffleEachIteration = reshuffleEachIteration;
  }

  @Override
  protected String params() {
    return bufferSize + ", seed=" + seed + ", reshuffle=" + reshuffleEachIteration;
  }

  @Override
  public Node<T> open(Ctx ctx) {
    Node<T> in = input.open(ctx);
    StageCounters stats = ctx.register(this, false, in);
    long s =
        seed == null
            ? ctx.seedFor(this, reshuffleEachIteration)
            : reshuffleEachIteration ? Seeds.mix(seed ^ ctx.epochKey) : Seeds.mix(seed);
    return new Node<>(stats) {
      final ElementRandom random = new ElementRandom(s);
      Object[] buffer = new Object[Math.min(bufferSize, 1024)];
      int size;
      boolean inputDone;

      @Override
      @SuppressWarnings("unchecked")
      protected T produce() {
        while (!inputDone && size < bufferSize) {
          T x = in.pull();
          if (x == null) {
            inputDone = true;
            break;
          }
          if (size == buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(bufferSize, 2L * size));
          }
          buffer[size++] = x;
        }
        if (size == 0) {
          return null;
        }
        int i = random.nextInt(size);
        Object out = buffer[i];
        buffer[i] = buffer[--size];
        buffer[size] = null;
        return (T) out;
      }

      @Override
      protected void onClose() {
        in.close();
      }
    };
  }
}
