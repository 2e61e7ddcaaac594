package dev.millrace.data;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The arrays behind batch tensors, kept once their batch is {@linkplain Batch#release() released}
 * so that a later batch of the same size fills them again.
 *
 * <p>Why: a new {@code float[]} for a batch of 128 CIFAR images (1.5 MiB) costs as much as
 * converting its pixels, because the JVM zero-fills fresh memory on the decoding thread; a reused
 * one is simply overwritten. {@link ExampleSpec#decodeBatch} and {@link Dataset#batch(int,
 * boolean)} draw on buffers of their own.
 *
 * <p>Safety: an array is reused only after the consumer of its batch said it is done with it, and
 * only arrays that a batch of these buffers owned alone come back: the batches that {@link
 * ExampleSpec#decodeBatch} and {@link Dataset#batch(int, boolean)} build, every tensor of them
 * fresh or taken from here for that batch. A batch goes back at most once ({@link Batch#release()}
 * does nothing the second time). A batch nobody releases is garbage-collected as any other object:
 * nothing here refers to an array while it is lent (not even weakly: a weak reference to a
 * humongous array keeps G1 from reclaiming it at the next young collection, which made unreleased
 * CIFAR batches 4× slower to decode).
 *
 * <p>Memory: the free arrays never exceed {@link #capacityBytes()}. When one more would, free
 * arrays of other lengths go first (a pipeline whose batch shape changed replaces the old set),
 * then the array given back is dropped. Arrays under {@link #MIN_BYTES} are not kept (the
 * allocation buffer makes small ones cheap); neither are INT64, FLOAT64 or STRING tensors.
 * Thread-safe.
 */
public final class BatchBuffers {
  /** Arrays smaller than this (16 KiB) come from the JVM each time. */
  public static final long MIN_BYTES = 16 * 1024;

  /** System property that sets {@link #defaultCapacity()} in bytes (0 turns reuse off). */
  public static final String CAPACITY_PROPERTY = "millrace.data.batchBufferBytes";

  private record Key(Class<?> arrayType, int length) {}

  private final long capacityBytes;
  private final Map<Key, ArrayDeque<Object>> free = new HashMap<>();
  private long freeBytes;
  private long reused;
  private long returned;

  private BatchBuffers(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacity must be >= 0 bytes, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
  }

  /** Buffers that keep at most {@code capacityBytes} of free arrays (0: reuse nothing). */
  public static BatchBuffers of(long capacityBytes) {
    return new BatchBuffers(capacityBytes);
  }

  /** Buffers of {@link #defaultCapacity()}. */
  public static BatchBuffers withDefaultCapacity() {
    return new BatchBuffers(defaultCapacity());
  }

  /**
   * The system property {@value #CAPACITY_PROPERTY} if set, else a sixteenth of the maximum heap,
   * at most 256 MiB: room for the batches a prefetch buffer and the map's workers hold at once.
   */
  public static long defaultCapacity() {
    long fallback = Math.min(Runtime.getRuntime().maxMemory() / 16, 256L << 20);
    return Long.getLong(CAPACITY_PROPERTY, fallback);
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  /**
   * A heap tensor for a batch to fill: a free array of exactly this size when there is one, else a
   * new, zero-filled one. A reused array still holds an earlier batch's values, so the caller must
   * write every element before anyone reads it.
   */
  Tensor take(DType dtype, Shape shape) {
    long n = shape.size();
    long bytes = n * (dtype == DType.STRING ? 0 : dtype.byteSize());
    Class<?> type = arrayType(dtype);
    if (type == null || bytes < MIN_BYTES || n > Integer.MAX_VALUE - 8 || capacityBytes == 0) {
      return Tensor.zeros(dtype, shape);
    }
    Key key = new Key(type, (int) n);
    Object a = null;
    synchronized (this) {
      ArrayDeque<Object> q = free.get(key);
      if (q != null && !q.isEmpty()) {
        a = q.pop();
        freeBytes -= bytes;
        reused++;
      }
    }
    return wrap(dtype, shape, a == null ? newArray(type, (int) n) : a);
  }

  /**
   * Takes back the array of {@code t}, a tensor that a released batch owned alone: no one may read
   * or write it afterwards. Kept (true) if it is of a kind {@link #take} hands out, exactly the
   * tensor's size, and fits.
   */
  boolean giveBack(Tensor t) {
    if (t.dtype() == DType.STRING || t.data().isNative()) {
      return false;
    }
    Object a = t.data().heapBase().orElse(null);
    if (a == null || arrayType(t.dtype()) != a.getClass()) {
      return false;
    }
    int length = java.lang.reflect.Array.getLength(a);
    long bytes = (long) length * t.dtype().byteSize();
    if (length != t.size() || bytes < MIN_BYTES) {
      return false;
    }
    synchronized (this) {
      returned++;
      Key key = new Key(a.getClass(), length);
      if (freeBytes + bytes > capacityBytes) {
        evictOtherThan(key, freeBytes + bytes - capacityBytes);
      }
      if (freeBytes + bytes > capacityBytes) {
        return false;
      }
      free.computeIfAbsent(key, k -> new ArrayDeque<>()).push(a);
      freeBytes += bytes;
      return true;
    }
  }

  // Drops free arrays of lengths other than key's until `excess` bytes are gone or none is left.
  private void evictOtherThan(Key key, long excess) {
    Iterator<Map.Entry<Key, ArrayDeque<Object>>> it = free.entrySet().iterator();
    while (excess > 0 && it.hasNext()) {
      Map.Entry<Key, ArrayDeque<Object>> e = it.next();
      if (e.getKey().equals(key)) {
        continue;
      }
      long each = bytesOf(e.getKey());
      ArrayDeque<Object> q = e.getValue();
      while (excess > 0 && !q.isEmpty()) {
        q.pop();
        freeBytes -= each;
        excess -= each;
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Bytes of free arrays held now (never more than {@link #capacityBytes()}). */
  public synchronized long freeBytes() {
    return freeBytes;
  }

  /** How many tensors {@link #take} made from a free array so far. */
  public synchronized long reusedCount() {
    return reused;
  }

  /** How many arrays came back so far (kept, or dropped for want of room). */
  public synchronized long returnedCount() {
    return returned;
  }

  @Override
  public String toString() {
    return "BatchBuffers{capacity=" + capacityBytes + " B, free=" + freeBytes() + " B}";
  }

  private static long bytesOf(Key k) {
    return (long) k.length()
        * (k.arrayType() == float[].class || k.arrayType() == int[].class ? 4 : 1);
  }

  /** The array class a heap tensor of {@code dtype} wraps, or null if it cannot be wrapped. */
  private static Class<?> arrayType(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> float[].class;
      case INT32, QINT32 -> int[].class;
      case UINT8, INT8, BOOL, QINT8, QUINT8 -> byte[].class;
      case INT64, FLOAT64, STRING -> null;
    };
  }

  private static Object newArray(Class<?> type, int n) {
    if (type == float[].class) {
      return new float[n];
    }
    return type == int[].class ? new int[n] : new byte[n];
  }

  private static Tensor wrap(DType dtype, Shape shape, Object a) {
    return switch (a) {
      case float[] f -> Tensor.wrapping(shape, f);
      case int[] i -> Tensor.wrapping(dtype, shape, i);
      case byte[] b -> Tensor.wrapping(dtype, shape, b);
      default -> throw new IllegalStateException("not a batch array: " + a.getClass());
    };
  }
}
