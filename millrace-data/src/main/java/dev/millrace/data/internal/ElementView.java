package dev.millrace.data.internal;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A reusable list over the elements of one batch, handed to a {@link dev.millrace.data.Batcher}:
 * filling and clearing it allocates nothing.
 */
final class ElementView<T> extends AbstractList<T> implements RandomAccess {
  final Object[] items;
  int size;

  ElementView(int capacity) {
    items = new Object[capacity];
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get(int index) {
    return (T) items[Objects.checkIndex(index, size)];
  }

  @Override
  public int size() {
    return size;
  }

  /** Drops the references, so that a batched element can be collected. */
  void reset() {
    Arrays.fill(items, 0, size, null);
    size = 0;
  }
}
