package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The NHWC copies that one run's NCHW kernels made of their results, kept so that the next NCHW
 * kernel reading such a result needs no second layout copy.
 *
 * <p>Why: NCHW convolutions and poolings run as their NHWC twins between layout copies. A chain of
 * them (convolution, pooling, convolution; and their gradients) would copy each value back to NHWC
 * right after copying it to NCHW. Keeping the NHWC array beside the NCHW one saves the second copy.
 *
 * <p>Safety: a twin is found only for the very array it was made with, under the same shape (a
 * reshaped view of that array finds nothing). Values are immutable once their kernel returned, and
 * an array is recycled only after its value is released; the run then tells this table ({@link
 * #released}), which gives the twin back to the session's {@link OutputBuffers}. When the run has
 * finished every operation, {@link #close} gives back the rest. Twins never exceed the buffers'
 * capacity in bytes; past it, a kernel gives its copy back at once, as without this table.
 */
public final class LayoutTwins {
  private record Twin(Shape shape, float[] nhwc) {}

  private final OutputBuffers buffers;
  private final Map<float[], Twin> twins = new IdentityHashMap<>();
  private long bytes;

  /** An empty table whose twins go back to {@code buffers}. */
  public LayoutTwins(OutputBuffers buffers) {
    this.buffers = buffers;
  }

  /** Keeps {@code nhwc} as the twin of {@code nchw} (of {@code shape}); false if over capacity. */
  synchronized boolean keep(float[] nchw, Shape shape, float[] nhwc) {
    long size = (long) nhwc.length * Float.BYTES;
    if (bytes + size > buffers.capacityBytes() || twins.containsKey(nchw)) {
      return false;
    }
    twins.put(nchw, new Twin(shape, nhwc));
    bytes += size;
    return true;
  }

  /** The twin kept for exactly this array under this shape, else null. */
  synchronized float[] find(float[] nchw, Shape shape) {
    Twin t = twins.get(nchw);
    return t != null && t.shape().equals(shape) ? t.nhwc() : null;
  }

  /** {@code t}'s value was released: no one reads its twin any more. */
  public synchronized void released(Tensor t) {
    if (twins.isEmpty()
        || t.dtype() != DType.FLOAT32
        || !(t.data().heapBase().orElse(null) instanceof float[] a)) {
      return;
    }
    Twin twin = twins.remove(a);
    if (twin != null) {
      giveBack(twin);
    }
  }

  /** The run finished every operation: every twin goes back to the buffers. */
  public synchronized void close() {
    for (Twin t : twins.values()) {
      giveBack(t);
    }
    twins.clear();
  }

  /** Bytes of the twins held now. */
  public synchronized long bytes() {
    return bytes;
  }

  private void giveBack(Twin t) {
    bytes -= (long) t.nhwc().length * Float.BYTES;
    buffers.recycle(Tensor.wrapping(Shape.of(t.nhwc().length), t.nhwc()));
  }
}
