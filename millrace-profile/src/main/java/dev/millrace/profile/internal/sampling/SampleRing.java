package dev.millrace.profile.internal.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The latest {@code capacity} samples, oldest overwritten first: a sampler's memory stays the same
 * however long the run. Thread-safe (one writer, any readers).
 */
public final class SampleRing<T> {
  private final Object[] items;
  private long added;

  public SampleRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.items = new Object[capacity];
  }

  public synchronized void add(T item) {
    items[(int) (added % items.length)] = item;
    added++;
  }

  /** A copy of the samples held, oldest first. */
  @SuppressWarnings("unchecked")
  public synchronized List<T> snapshot() {
    int n = (int) Math.min(added, items.length);
    List<T> out = new ArrayList<>(n);
    for (long i = added - n; i < added; i++) {
      out.add((T) items[(int) (i % items.length)]);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  public synchronized Optional<T> latest() {
    return added == 0
        ? Optional.empty()
        : Optional.of((T) items[(int) ((added - 1) % items.length)]);
  }

  /** Samples ever added, those overwritten included. */
  public synchronized long added() {
    return added;
  }

  public int capacity() {
    return items.length;
  }
}
