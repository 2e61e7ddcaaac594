package dev.millrace.nn;

import dev.millrace.data.Parallelism;

/**
 * How the training input pipeline is arranged: decode threads, augmentation, the shuffle buffer and
 * the prefetch depth. Memory is bounded by these numbers: the shuffle buffer holds at most {@code
 * shuffleBuffer} serialized records, the prefetch at most {@code prefetch} batches (an autotuned
 * prefetch stays inside the pipeline's RAM budget).
 *
 * @param threads decode (and augment) threads; 0 lets the pipeline autotune them
 * @param augment random crop (after padding by an eighth of the image side) and horizontal flip
 * @param shuffleBuffer records the shuffle draws from (0 for no shuffle)
 * @param prefetch batches prepared ahead of the training step; 0 for none, -1 for autotune
 */
public record InputSettings(int threads, boolean augment, int shuffleBuffer, int prefetch) {
  /** Autotuned threads and prefetch, no augmentation, a 10,000-record shuffle buffer. */
  public static final InputSettings DEFAULT = new InputSettings(0, false, 10_000, -1);

  public InputSettings {
    if (threads < 0 || shuffleBuffer < 0 || prefetch < -1) {
      throw new IllegalArgumentException(
          "threads "
              + threads
              + " and shuffle buffer "
              + shuffleBuffer
              + " must be >= 0, prefetch >= -1 (autotune), got "
              + prefetch);
    }
  }

  public InputSettings withThreads(int value) {
    return new InputSettings(value, augment, shuffleBuffer, prefetch);
  }

  public InputSettings withAugment(boolean value) {
    return new InputSettings(threads, value, shuffleBuffer, prefetch);
  }

  public InputSettings withShuffleBuffer(int value) {
    return new InputSettings(threads, augment, value, prefetch);
  }

  public InputSettings withPrefetch(int value) {
    return new InputSettings(threads, augment, shuffleBuffer, value);
  }

  Parallelism parallelism() {
    return threads == 0 ? Parallelism.AUTOTUNE : Parallelism.of(threads);
  }

  @Override
  public String toString() {
    return (threads == 0 ? "autotuned" : String.valueOf(threads))
        + " input threads, "
        + (augment ? "crop+flip augmentation, " : "")
        + (shuffleBuffer == 0 ? "no shuffle" : "shuffle " + shuffleBuffer)
        + ", "
        + (prefetch == -1 ? "autotuned prefetch" : "prefetch " + prefetch);
  }
}
