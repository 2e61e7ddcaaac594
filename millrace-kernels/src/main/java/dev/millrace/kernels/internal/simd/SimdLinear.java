package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/** MatMul through the blocked GEMM; transposes are absorbed by the packers' strides. */
public final class SimdLinear {
  private SimdLinear() {}

  /** {@code op(a) · op(b)} of validated FLOAT32 rank-2 tensors. */
  public static Tensor matmul(
      Tensor a, Tensor b, boolean transposeA, boolean transposeB, KernelThreads threads) {
    int rowsA = Math.toIntExact(a.shape().dim(0));
    int colsA = Math.toIntExact(a.shape().dim(1));
    int rowsB = Math.toIntExact(b.shape().dim(0));
    int colsB = Math.toIntExact(b.shape().dim(1));
    int m = transposeA ? colsA : rowsA;
    int k = transposeA ? rowsA : colsA;
    int n = transposeB ? rowsB : colsB;
    Tensor out = Floats.toOverwrite(Shape.of(m, n));
    float[] va = Floats.of(a);
    float[] vb = Floats.of(b);
    Gemm.PackA pa = transposeA ? Packers.a(va, 0, 1, colsA) : Packers.a(va, 0, colsA, 1);
    Gemm.PackB pb = transposeB ? Packers.b(vb, 0, 1, colsB) : Packers.b(vb, 0, colsB, 1);
    Gemm.gemm(m, n, k, pa, pb, Floats.array(out), 0, n, false, null, threads);
    return out;
  }
}
