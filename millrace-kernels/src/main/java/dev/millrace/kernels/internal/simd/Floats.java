package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.OutputBuffers;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Float32 tensors as {@code float[]}: the backing array itself where possible, else a copy. */
final class Floats {
  private Floats() {}

  /**
   * The elements of a FLOAT32 tensor. A heap tensor returns its own array (callers only read it);
   * an off-heap one is copied.
   */
  static float[] of(Tensor t) {
    MemorySegment seg = t.data();
    long n = t.size();
    if (!seg.isNative()
        && seg.address() == 0
        && seg.byteSize() == n * Float.BYTES
        && seg.heapBase().orElse(null) instanceof float[] a
        && a.length == n) {
      return a;
    }
    return seg.toArray(ValueLayout.JAVA_FLOAT);
  }

  /**
   * A zero-filled FLOAT32 heap tensor: inside a session's run a recycled array where one is free
   * ({@link OutputBuffers}), else a new one.
   */
  static Tensor zeros(Shape shape) {
    return OutputBuffers.floatZeros(shape);
  }

  /**
   * A FLOAT32 heap tensor for an output the kernel writes element by element in full before it
   * returns: a recycled array is lent with its old contents rather than cleared ({@link
   * OutputBuffers#floatsToOverwrite}). Only for kernels that store every element on every path.
   */
  static Tensor toOverwrite(Shape shape) {
    return OutputBuffers.floatsToOverwrite(shape);
  }

  /** The backing array of a tensor made by {@link #zeros} or {@link #toOverwrite}. */
  static float[] array(Tensor heap) {
    return (float[]) heap.data().heapBase().orElseThrow();
  }
}
