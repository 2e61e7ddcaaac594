package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * The optimizer updates on FLOAT32 variables, in float as TensorFlow's CPU kernels compute them, in
 * place: a heap variable's own array is updated (no copy); an off-heap one is copied in and written
 * back. The scalar tails compute exactly what a vector lane does (the same fused multiply-adds, in
 * the same order). Large variables are split over the threads; each element's update depends on
 * that element only, so the result does not depend on the split.
 */
public final class SimdOptimizer {
  private SimdOptimizer() {}

  private static final int L = Gemm.NR;

  public static void gradientDescent(Tensor var, double lr, Tensor grad, KernelThreads t) {
    float[] w = Floats.of(var);
    float[] g = Floats.of(grad);
    float rate = (float) lr;
    FloatVector vr = FloatVector.broadcast(Gemm.F, rate);
    split(
        w.length,
        t,
        (i0, i1) -> {
          int i = i0;
          for (; i <= i1 - L; i += L) {
            FloatVector.fromArray(Gemm.F, g, i)
                .neg()
                .fma(vr, FloatVector.fromArray(Gemm.F, w, i))
                .intoArray(w, i);
          }
          for (; i < i1; i++) {
            w[i] = Math.fma(-rate, g[i], w[i]);
          }
        });
    storeIfCopied(var, w);
  }

  public static void momentum(
      Tensor var,
      Tensor accum,
      double lr,
      Tensor grad,
      double momentum,
      boolean nesterov,
      KernelThreads t) {
    float[] w = Floats.of(var);
    float[] a = Floats.of(accum);
    float[] g = Floats.of(grad);
    float rate = (float) lr;
    float mu = (float) momentum;
    split(
        w.length,
        t,
        (i0, i1) -> {
          FloatVector vr = FloatVector.broadcast(Gemm.F, rate);
          FloatVector vm = FloatVector.broadcast(Gemm.F, mu);
          int i = i0;
          for (; i <= i1 - L; i += L) {
            FloatVector gv = FloatVector.fromArray(Gemm.F, g, i);
            FloatVector av = FloatVector.fromArray(Gemm.F, a, i).fma(vm, gv);
            av.intoArray(a, i);
            FloatVector step = nesterov ? av.fma(vm, gv) : av;
            step.neg().fma(vr, FloatVector.fromArray(Gemm.F, w, i)).intoArray(w, i);
          }
          for (; i < i1; i++) {
            a[i] = Math.fma(a[i], mu, g[i]);
            w[i] = Math.fma(-rate, nesterov ? Math.fma(a[i], mu, g[i]) : a[i], w[i]);
          }
        });
    storeIfCopied(accum, a);
    storeIfCopied(var, w);
  }

  public static void adam(
      Tensor var,
      Tensor m,
      Tensor v,
      double lrT,
      double beta1,
      double beta2,
      double epsilon,
      Tensor grad,
      KernelThreads t) {
    float[] w = Floats.of(var);
    float[] mm = Floats.of(m);
    float[] vv = Floats.of(v);
    float[] g = Floats.of(grad);
    float alpha = (float) lrT;
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1 - beta1);
    float c2 = (float) (1 - beta2);
    float eps = (float) epsilon;
    split(
        w.length,
        t,
        (i0, i1) -> {
          int i = i0;
          for (; i <= i1 - L; i += L) {
            FloatVector gv = FloatVector.fromArray(Gemm.F, g, i);
            FloatVector mv = FloatVector.fromArray(Gemm.F, mm, i).mul(b1).add(gv.mul(c1));
            FloatVector vv2 = FloatVector.fromArray(Gemm.F, vv, i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(mm, i);
            vv2.intoArray(vv, i);
            FloatVector wv = FloatVector.fromArray(Gemm.F, w, i);
            wv.sub(mv.mul(alpha).div(vv2.sqrt().add(eps))).intoArray(w, i);
          }
          for (; i < i1; i++) {
            mm[i] = mm[i] * b1 + g[i] * c1;
            vv[i] = vv[i] * b2 + g[i] * g[i] * c2;
            w[i] -= mm[i] * alpha / ((float) Math.sqrt(vv[i]) + eps);
          }
        });
    storeIfCopied(m, mm);
    storeIfCopied(v, vv);
    storeIfCopied(var, w);
  }

  @FunctionalInterface
  private interface Range {
    void run(int from, int to);
  }

  /** Elements per task, at least: smaller updates run on the calling thread. */
  private static final int CHUNK = 1 << 15;

  private static void split(int n, KernelThreads t, Range body) {
    int tasks = Math.min(t.parallelism(), n / CHUNK);
    if (tasks <= 1) {
      body.run(0, n);
      return;
    }
    // Task boundaries on whole vectors, so that each element takes the same path at any split.
    int vectors = n / L;
    t.parallelFor(
        tasks,
        k -> {
          int from = vectors * k / tasks * L;
          int to = k == tasks - 1 ? n : vectors * (k + 1) / tasks * L;
          body.run(from, to);
        });
  }

  /** Writes {@code values} back unless they are the tensor's own heap array. */
  private static void storeIfCopied(Tensor t, float[] values) {
    MemorySegment seg = t.data();
    if (seg.heapBase().orElse(null) != values) {
      MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT, 0, values.length);
    }
  }
}
