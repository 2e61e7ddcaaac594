package dev.millrace.kernels.internal;

import dev.millrace.tensor.Tensor;

/** In-place variable updates with TensorFlow's Apply* formulas. */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  public static void gradientDescent(Tensor var, double lr, Tensor grad) {
    String op = "applyGradientDescent";
    Checks.requireFloating(op, "var", var);
    Checks.requireLike(op, "var", var, "grad", grad);
    double[] w = Buffers.doubles(var);
    double[] g = Buffers.doubles(grad);
    for (int i = 0; i < w.length; i++) {
      w[i] -= lr * g[i];
    }
    Buffers.store(var, w);
  }

  public static void momentum(
      Tensor var, Tensor accum, double lr, Tensor grad, double momentum, boolean nesterov) {
    String op = "applyMomentum";
    Checks.requireFloating(op, "var", var);
    Checks.requireLike(op, "var", var, "accum", accum);
    Checks.requireLike(op, "var", var, "grad", grad);
    double[] w = Buffers.doubles(var);
    double[] a = Buffers.doubles(accum);
    double[] g = Buffers.doubles(grad);
    for (int i = 0; i < w.length; i++) {
      a[i] = momentum * a[i] + g[i];
      w[i] -= nesterov ? lr * (g[i] + momentum * a[i]) : lr * a[i];
    }
    Buffers.store(accum, a);
    Buffers.store(var, w);
  }

  public static void adam(
      Tensor var,
      Tensor m,
      Tensor v,
      double beta1Power,
      double beta2Power,
      double lr,
      double beta1,
      double beta2,
      double epsilon,
      Tensor grad) {
    String op = "applyAdam";
    Checks.requireFloating(op, "var", var);
    Checks.requireLike(op, "var", var, "m", m);
    Checks.requireLike(op, "var", var, "v", v);
    Checks.requireLike(op, "var", var, "grad", grad);
    double[] w = Buffers.doubles(var);
    double[] mm = Buffers.doubles(m);
    double[] vv = Buffers.doubles(v);
    double[] g = Buffers.doubles(grad);
    double lrT = lr * Math.sqrt(1 - beta2Power) / (1 - beta1Power);
    for (int i = 0; i < w.length; i++) {
      mm[i] = beta1 * mm[i] + (1 - beta1) * g[i];
      vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
      w[i] -= lrT * mm[i] / (Math.sqrt(vv[i]) + epsilon);
    }
    Buffers.store(m, mm);
    Buffers.store(v, vv);
    Buffers.store(var, w);
  }
}
