package dev.millrace.data.internal;

/**
 * Elements handed from one thread to another in one go: handing over chunks instead of single
 * elements makes the cost of a lock and a wake-up per chunk, not per element.
 */
final class Chunk {
  /** Stands in a chunk for an element whose computation failed, at the element's position. */
  record Failure(RuntimeException error) {}

  final Object[] items;
  int size;
  long bytes;

  /** For ordered parallel stages: the chunk's place in the input order. */
  long seq;

  /** For a map with a fused batch: the mapped elements its batches hold. */
  int sourceElements;

  Chunk(int capacity) {
    items = new Object[capacity];
  }

  void add(Object item, long itemBytes) {
    items[size++] = item;
    bytes += itemBytes;
  }

  boolean isFull() {
    return size == items.length;
  }
}
