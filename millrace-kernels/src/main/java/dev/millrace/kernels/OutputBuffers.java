package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Float arrays for kernel outputs, recycled between the operations and runs of one session.
 *
 * <p>Why: a new {@code float[]} of a few MiB costs about 60 µs per MiB on the calling thread (the
 * JVM zeroes fresh, cache-cold memory), while clearing a recycled one costs about 12 µs per MiB. A
 * ResNet's forward pass at batch 32 allocates about 32 MB of activations, so fresh arrays cost
 * about a tenth of its time.
 *
 * <p>How: a session runs each kernel call inside {@link #supplying}, with a {@link Loan} of its
 * own; the fast kernels take their FLOAT32 outputs from {@link #floatZeros}, which hands out a
 * recycled array of exactly the right length, cleared, when one is free, and notes it in the loan.
 * When the session has released a value whose array {@linkplain Loan#lent the loan lent} (its last
 * reader has run, it is not fetched, no variable took it), it gives the tensor back with {@link
 * #recycle}. A tensor that other code made, cached or shares is never among them.
 *
 * <p>Nothing here refers to a lent array: a loan lives for one kernel call, and an array nobody
 * gives back (a fetched value, a kernel's temporary) is garbage as soon as its holder drops it. (A
 * weak reference would do, but it keeps G1 from reclaiming a large array early.)
 *
 * <p>Memory: free arrays never exceed {@code capacityBytes}; when one more would, every free array
 * is dropped first (a run of another shape replaces the old set instead of adding to it). Arrays
 * below {@link #MIN_FLOATS} elements come from the JVM as before: the thread-local allocation
 * buffer makes small arrays cheap.
 */
public final class OutputBuffers {
  /** Arrays shorter than this (64 KiB) are not recycled. */
  public static final int MIN_FLOATS = 16 * 1024;

  private static final ScopedValue<Loan> CURRENT = ScopedValue.newInstance();

  private final long capacityBytes;
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  private long freeBytes;
  private long recycled;

  /** The arrays one kernel call took from {@link #floatZeros}. Confined to the calling thread. */
  public static final class Loan {
    private final OutputBuffers buffers;
    private final LayoutTwins twins;
    private final List<float[]> arrays = new ArrayList<>(2);
    private long recycledBytes;

    /** A loan from {@code buffers}, for one call of {@link OutputBuffers#supplying}. */
    public Loan(OutputBuffers buffers) {
      this(buffers, null);
    }

    /** A loan that also keeps the call's layout copies in its run's {@code twins} (nullable). */
    public Loan(OutputBuffers buffers, LayoutTwins twins) {
      this.buffers = buffers;
      this.twins = twins;
    }

    /** Whether {@code t} is backed by exactly an array this loan handed out. */
    public boolean lent(Tensor t) {
      if (t.dtype() != DType.FLOAT32
          || !(t.data().heapBase().orElse(null) instanceof float[] a)
          || a.length != t.size()) {
        return false;
      }
      for (float[] l : arrays) {
        if (l == a) {
          return true;
        }
      }
      return false;
    }

    /** Bytes of the arrays handed out that were recycled rather than new. */
    public long recycledBytes() {
      return recycledBytes;
    }
  }

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

  /** Runs {@code op} with {@link #floatZeros} lending from {@code loan}'s buffers. */
  public static <R, X extends Throwable> R supplying(
      Loan loan, ScopedValue.CallableOp<? extends R, X> op) throws X {
    return ScopedValue.where(CURRENT, loan).call(op);
  }

  /**
   * A zero-filled FLOAT32 heap tensor: a recycled array when called inside {@link #supplying} and
   * one of the right length is free, else a new one.
   */
  public static Tensor floatZeros(Shape shape) {
    return lend(shape, true);
  }

  /**
   * A FLOAT32 heap tensor for an output its kernel writes in full before anything reads it: as
   * {@link #floatZeros}, but a recycled array is lent as it is, with its old contents. Clearing
   * costs the calling thread about 12 µs per MiB of a cache-warm array and more of a cold one: a
   * training step's activations and gradients are tens of MiB.
   */
  public static Tensor floatsToOverwrite(Shape shape) {
    return lend(shape, false);
  }

  private static Tensor lend(Shape shape, boolean clear) {
    if (CURRENT.isBound()) {
      long n = shape.isFullyDefined() ? shape.size() : -1;
      if (n >= MIN_FLOATS && n <= Integer.MAX_VALUE) {
        Loan loan = CURRENT.get();
        float[] a = loan.buffers.take((int) n);
        if (a == null) {
          a = new float[(int) n];
        } else {
          if (clear) {
            Arrays.fill(a, 0f);
          }
          loan.recycledBytes += (long) n * Float.BYTES;
        }
        loan.arrays.add(a);
        return Tensor.wrapping(shape, a);
      }
    }
    return Tensor.zeros(DType.FLOAT32, shape);
  }

  /**
   * Gives back, within the kernel call that took it, a temporary that {@link #floatZeros} lent and
   * that the call no longer reads: a layout copy, say. Does nothing outside {@link #supplying} or
   * for a tensor this call's loan did not lend.
   */
  public static void giveBack(Tensor t) {
    if (!CURRENT.isBound()) {
      return;
    }
    Loan loan = CURRENT.get();
    if (loan.lent(t)) {
      float[] a = (float[]) t.data().heapBase().orElseThrow();
      loan.arrays.removeIf(l -> l == a);
      loan.buffers.recycle(t);
    }
  }

  /**
   * Keeps {@code nhwc}, a layout copy this call made and no longer writes, as the twin of its
   * result {@code nchw} in the run's {@link LayoutTwins}. False (and nothing kept) outside a run
   * that keeps twins, over their capacity, or if this call's loan did not lend both arrays: the
   * caller then gives the copy back itself.
   */
  public static boolean keepTwin(Tensor nchw, Tensor nhwc) {
    if (!CURRENT.isBound()) {
      return false;
    }
    Loan loan = CURRENT.get();
    return loan.twins != null
        && loan.lent(nchw)
        && loan.lent(nhwc)
        && loan.twins.keep(heapArray(nchw), nchw.shape(), heapArray(nhwc));
  }

  /** The NHWC twin the run keeps for exactly {@code nchw}'s array and shape, else null. */
  public static float[] twinOf(Tensor nchw) {
    if (!CURRENT.isBound()) {
      return null;
    }
    Loan loan = CURRENT.get();
    if (loan.twins == null
        || nchw.dtype() != DType.FLOAT32
        || !(nchw.data().heapBase().orElse(null) instanceof float[] a)
        || a.length != nchw.size()) {
      return null;
    }
    return loan.twins.find(a, nchw.shape());
  }

  private static float[] heapArray(Tensor t) {
    return (float[]) t.data().heapBase().orElseThrow();
  }

  long capacityBytes() {
    return capacityBytes;
  }

  /**
   * Takes back the array of {@code t}, which a {@link Loan} of these buffers lent and which no one
   * may read or write afterwards. False (and nothing kept) if it is not a whole heap FLOAT32 array
   * of at least {@link #MIN_FLOATS}, is already free here, or recycling is off.
   */
  public boolean recycle(Tensor t) {
    if (t.dtype() != DType.FLOAT32
        || t.data().isNative()
        || !(t.data().heapBase().orElse(null) instanceof float[] a)
        || a.length != t.size()
        || a.length < MIN_FLOATS) {
      return false;
    }
    long bytes = (long) a.length * Float.BYTES;
    synchronized (this) {
      if (bytes > capacityBytes || isFree(a)) {
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

  /** How many arrays were given back so far. */
  public synchronized long recycledCount() {
    return recycled;
  }

  /** Bytes of free arrays held now. */
  public synchronized long freeBytes() {
    return freeBytes;
  }

  private synchronized float[] take(int n) {
    ArrayDeque<float[]> q = free.get(n);
    if (q == null || q.isEmpty()) {
      return null;
    }
    freeBytes -= (long) n * Float.BYTES;
    return q.pop();
  }

  // A second give-back of one array would hand it to two outputs at once.
  private boolean isFree(float[] a) {
    ArrayDeque<float[]> q = free.get(a.length);
    if (q != null) {
      for (float[] f : q) {
        if (f == a) {
          return true;
        }
      }
    }
    return false;
  }
}
