package dev.millrace.kernels.internal.simd;

/**
 * Per-thread working buffers, grown on demand and reused across calls so that a kernel call
 * allocates only its result. A buffer's contents are garbage on entry: every user writes what it
 * reads. Each kind has its own buffer, so a caller may hold one kind while calling code that uses
 * another; no kernel holds a buffer across a call that uses the same kind.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

  private float[] packedA = new float[0];
  private float[] packedB = new float[0];
  private float[] panel = new float[0];
  private float[] columns = new float[0];
  private float[] padded = new float[0];
  private final float[] tile = new float[16 * Gemm.NR];

  private Scratch() {}

  /** Packed A blocks of the GEMM. */
  static float[] packedA(int size) {
    Scratch s = LOCAL.get();
    if (s.packedA.length < size) {
      s.packedA = new float[size];
    }
    return s.packedA;
  }

  /** Packed B panels of the GEMM (shared with helper threads for the duration of one call). */
  static float[] packedB(int size) {
    Scratch s = LOCAL.get();
    if (s.packedB.length < size) {
      s.packedB = new float[size];
    }
    return s.packedB;
  }

  /** One B panel packed just before use. */
  static float[] panel(int size) {
    Scratch s = LOCAL.get();
    if (s.panel.length < size) {
      s.panel = new float[size];
    }
    return s.panel;
  }

  /** An im2col / col2im buffer of the convolution gradients. */
  static float[] columns(int size) {
    Scratch s = LOCAL.get();
    if (s.columns.length < size) {
      s.columns = new float[size];
    }
    return s.columns;
  }

  /** A padded copy of an input. */
  static float[] padded(int size) {
    Scratch s = LOCAL.get();
    if (s.padded.length < size) {
      s.padded = new float[size];
    }
    return s.padded;
  }

  /** A 12×8 tile for the micro-kernel's edge results. */
  static float[] tile() {
    return LOCAL.get().tile;
  }
}
