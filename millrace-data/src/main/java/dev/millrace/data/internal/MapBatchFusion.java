package dev.millrace.data.internal;

import dev.millrace.data.Batcher;

/**
 * A {@code batch} stage run inside the parallel {@code map} before it, as tf.data's map-and-batch
 * fusion: each map worker stacks the batches of its own chunk, so stacking runs on all the map's
 * threads instead of serially in the thread that pulls the batches, and one hand-over carries whole
 * batches.
 *
 * <p>The map's chunks then start on batch boundaries and hold whole batches, so the batches are the
 * ones the separate stages would make, element for element. That holds as long as no element is
 * dropped between the map and the batch; an element failure is where the two would differ (the
 * separate batch stage goes on collecting after it), so {@link BatchOp} fuses only where no {@code
 * ignoreErrors} downstream can resume after a failure, and only with the built-in batchers, which
 * are safe to call from several threads at once.
 */
final class MapBatchFusion {
  final int size;
  final boolean dropRemainder;
  final Batcher<Object, ?> batcher;

  /** The batch stage's counters: the stacking time and the hand-over waits go there. */
  final StageCounters stats;

  @SuppressWarnings("unchecked")
  MapBatchFusion(int size, boolean dropRemainder, Batcher<?, ?> batcher, StageCounters batchStats) {
    this.size = size;
    this.dropRemainder = dropRemainder;
    this.batcher = (Batcher<Object, ?>) batcher;
    this.stats = batchStats;
  }

  /** Input elements per chunk: a whole number of batches, about {@code elements} of them. */
  int chunkElements(long elements) {
    long batches = Math.max(1, Math.round((double) elements / size));
    return (int) Math.min(Integer.MAX_VALUE - 8, batches * size);
  }

  /**
   * Groups the mapped elements of one chunk into batches, in place of the elements. {@code base} is
   * the input index of the chunk's first element and {@code last} whether the input ended in it. A
   * group holding a failed element becomes that failure, as the separate batch stage would throw it
   * when it pulls that element.
   */
  Chunk group(Chunk mapped, long base, boolean last) {
    int n = mapped.size;
    Chunk out = new Chunk((n + size - 1) / size);
    out.seq = mapped.seq;
    out.sourceElements = n;
    ElementView<Object> view = new ElementView<>(size);
    for (int start = 0; start < n; start += size) {
      int end = Math.min(n, start + size);
      Chunk.Failure failure = firstFailure(mapped.items, start, end);
      if (failure != null) {
        out.add(failure, 0);
        continue;
      }
      if (end - start < size && last && dropRemainder) {
        break;
      }
      System.arraycopy(mapped.items, start, view.items, 0, end - start);
      view.size = end - start;
      long index = (base + start) / size;
      try {
        Object b = batcher.batch(view);
        if (b == null) {
          throw new NullPointerException("the batcher returned null");
        }
        out.add(b, Sizes.of(b));
      } catch (Throwable t) {
        out.add(new Chunk.Failure(Errors.element(stats.name, index, t)), 0);
      } finally {
        view.reset();
      }
    }
    return out;
  }

  private static Chunk.Failure firstFailure(Object[] items, int from, int to) {
    for (int i = from; i < to; i++) {
      if (items[i] instanceof Chunk.Failure f) {
        return f;
      }
    }
    return null;
  }
}
