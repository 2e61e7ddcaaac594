package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Float arrays for kernel outputs, recycled between the operations and runs of one session.
 *
 * <p>Why: a new {@code float[]} of a few MiB costs about 60 µs per MiB on the calling thread (the
 * JVM zeroes fresh, cache-cold memory), while clearing a recycled one costs about 12 µs per MiB. A
 * ResNet's forward pass at batch 32 allocates about 32 MB of activations, so fresh arrays cost
 * about a tenth of its time.
 *
 * <p>How: a session binds its buffers around each kernel call ({@link #supplying}); the fast
 * kernels take their FLOAT32 outputs from {@link #floatZeros}, which hands out a recycled array of
 * exactly the right length, cleared, when one is free. When the session has released a value (its
 * last reader has run, it is not fetched, no variable took it), it gives the tensor back with
 * {@link #recycle}. Only arrays this object lent are taken back, each once; so a tensor that some
 * other code made, cached or shares is never reused.
 *
 * <p>Memory: free arrays never exceed {@code capacityBytes}; when one more would, every free array
 * is dropped first (a run of another shape replaces the old set instead of adding to it). Arrays
 * below {@link #MIN_FLOATS} elements come from the JVM as before: the thread-local allocation
 * buffer makes small arrays cheap.
 */
public final class OutputBuffers {
  /** Arrays shorter than this (64 KiB) are not recycled. */
  public static final int MIN_FLOATS = 16 * 1024;

  private static final ScopedValue<Supply> CURRENT = ScopedValue.newInstance();

  /** The buffers a kernel call draws on, and the tally of recycled bytes it adds to. */
  private record Supply(OutputBuffers buffers, LongAdder recycledBytes) {}

  private final long capacityBytes;
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  // Arrays lent and not yet given back. Weak: a lent array the caller keeps (a fetched value, a
  // variable's new value) is simply never returned, and must not be kept alive here.
  private final WeakHashMap<float[], Boolean> lent = new WeakHashMap<>();
  private long freeBytes;
  private long reused;
  private long recycled;

  /** Buffers that keep at most {@code capacityBytes} of free arrays (0: recycle nothing). */
  public OutputBuffers(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
  }

  /**
   * The capacity sessions use: the system property {@code millrace.session.recycleBytes} if set (0
   * turns recycling off), else a quarter of the maximum heap, at most 1 GiB.
   */
  public static long defaultCapacity() {
    long fallback = Math.min(Runtime.getRuntime().maxMemory() / 4, 1L << 30);
    return Long.getLong("millrace.session.recycleBytes", fallback);
  }

  /**
   * Runs {@code op} with {@link #floatZeros} drawing on these buffers on the calling thread; adds
   * the bytes of each recycled array it hands out to {@code recycledBytes}.
   */
  public <R, X extends Throwable> R supplying(
      LongAdder recycledBytes, ScopedValue.CallableOp<? extends R, X> op) throws X {
    return ScopedValue.where(CURRENT, new Supply(this, recycledBytes)).call(op);
  }

  /**
   * A zero-filled FLOAT32 heap tensor: a recycled array when called inside {@link #supplying} and
   * one of the right length is free, else a new one.
   */
  public static Tensor floatZeros(Shape shape) {
    if (CURRENT.isBound()) {
      long n = shape.isFullyDefined() ? shape.size() : -1;
      if (n >= MIN_FLOATS && n <= Integer.MAX_VALUE) {
        Supply s = CURRENT.get();
        return Tensor.wrapping(shape, s.buffers().lend((int) n, s.recycledBytes()));
      }
    }
    return Tensor.zeros(DType.FLOAT32, shape);
  }

  /**
   * Takes back the array of {@code t}, which no one may read or write afterwards. Ignored (false)
   * unless these buffers lent that array and it is not back yet, or if recycling is off.
   */
  public boolean recycle(Tensor t) {
    if (t.dtype() != DType.FLOAT32
        || t.data().isNative()
        || !(t.data().heapBase().orElse(null) instanceof float[] a)
        || a.length != t.size()) {
      return false;
    }
    synchronized (this) {
      if (lent.remove(a) == null) {
        return false;
      }
      long bytes = (long) a.length * Float.BYTES;
      if (bytes > capacityBytes) {
        return false;
      }
      if (freeBytes + bytes > capacityBytes) {
        free.clear();
        freeBytes = 0;
      }
      free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
      freeBytes += bytes;
      recycled++;
      return true;
    }
  }

  /**
   * Says that {@code t}'s array now belongs to someone who keeps it (a variable): {@link #recycle}
   * will never take it back.
   */
  public void disown(Tensor t) {
    if (t.dtype() != DType.STRING && t.data().heapBase().orElse(null) instanceof float[] a) {
      synchronized (this) {
        lent.remove(a);
      }
    }
  }

  /** How many outputs were served from recycled arrays so far. */
  public synchronized long reusedCount() {
    return reused;
  }

  /** How many arrays were given back so far. */
  public synchronized long recycledCount() {
    return recycled;
  }

  /** Bytes of free arrays held now. */
  public synchronized long freeBytes() {
    return freeBytes;
  }

  private float[] lend(int n, LongAdder recycledBytes) {
    float[] a = null;
    synchronized (this) {
      ArrayDeque<float[]> q = free.get(n);
      if (q != null && !q.isEmpty()) {
        a = q.pop();
        freeBytes -= (long) n * Float.BYTES;
        reused++;
      }
    }
    if (a == null) {
      a = new float[n];
    } else {
      Arrays.fill(a, 0f); // outside the lock: clearing MiBs takes microseconds
      recycledBytes.add((long) n * Float.BYTES);
    }
    synchronized (this) {
      lent.put(a, Boolean.TRUE);
    }
    return a;
  }
}
