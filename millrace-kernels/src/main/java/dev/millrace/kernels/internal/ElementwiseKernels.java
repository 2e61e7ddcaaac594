package dev.millrace.kernels.internal;

import dev.millrace.kernels.BinaryOp;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/** Elementwise functions, their gradients, broadcasting's reverse, comparison and casts. */
public final class ElementwiseKernels {
  private ElementwiseKernels() {}

  public static Tensor unary(UnaryOp op, Tensor x) {
    String name = "unary " + op;
    Checks.requireNonNull(name, "op", op);
    Checks.requireNumeric(name, "x", x);
    if (x.dtype().isFloating()) {
      double[] v = Buffers.doubles(x);
      for (int i = 0; i < v.length; i++) {
        v[i] = unaryFloating(op, v[i]);
      }
      return Buffers.fromDoubles(x.dtype(), x.shape(), v);
    }
    long[] v = Buffers.longs(x);
    for (int i = 0; i < v.length; i++) {
      v[i] = unaryInteger(op, v[i], x);
    }
    return Buffers.fromLongs(x.dtype(), x.shape(), v);
  }

  private static double unaryFloating(UnaryOp op, double x) {
    return switch (op) {
      case IDENTITY -> x;
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQUARE -> x * x;
      case SQRT -> Math.sqrt(x);
      case RSQRT -> 1 / Math.sqrt(x);
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case RELU -> Math.max(x, 0);
      case RELU6 -> Math.min(Math.max(x, 0), 6);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
      case TANH -> Math.tanh(x);
      case RECIPROCAL -> 1 / x;
    };
  }

  private static long unaryInteger(UnaryOp op, long x, Tensor t) {
    return switch (op) {
      case IDENTITY -> x;
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQUARE -> x * x;
      case RELU -> Math.max(x, 0);
      case RELU6 -> Math.min(Math.max(x, 0), 6);
      case SQRT, RSQRT, EXP, LOG, SIGMOID, TANH, RECIPROCAL ->
          throw new IllegalArgumentException(
              "unary " + op + ": x must be FLOAT32 or FLOAT64, got " + Checks.describe(t));
    };
  }

  public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    String name = "binary " + op;
    Checks.requireNonNull(name, "op", op);
    Checks.requireNumeric(name, "a", a);
    Checks.requireNumeric(name, "b", b);
    Checks.requireSameDType(name, "a", a, "b", b);
    Shape out = Broadcast.shape(name, a.shape(), b.shape());
    int[] ia = Broadcast.sourceIndices(a.shape(), out);
    int[] ib = Broadcast.sourceIndices(b.shape(), out);
    if (a.dtype().isFloating()) {
      double[] va = Buffers.doubles(a);
      double[] vb = Buffers.doubles(b);
      double[] r = new double[ia.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = binaryFloating(op, va[ia[i]], vb[ib[i]]);
      }
      return Buffers.fromDoubles(a.dtype(), out, r);
    }
    long[] va = Buffers.longs(a);
    long[] vb = Buffers.longs(b);
    long[] r = new long[ia.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = binaryInteger(op, va[ia[i]], vb[ib[i]], a, b);
    }
    return Buffers.fromLongs(a.dtype(), out, r);
  }

  private static double binaryFloating(BinaryOp op, double a, double b) {
    return switch (op) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MAXIMUM -> Math.max(a, b);
      case MINIMUM -> Math.min(a, b);
      case SQUARED_DIFFERENCE -> (a - b) * (a - b);
      case POW -> Math.pow(a, b);
    };
  }

  // Computed in 64 bits and wrapped to the dtype's width on store: the same result as C++'s
  // 32-bit wrap-around for ADD, SUB, MUL and POW.
  private static long binaryInteger(BinaryOp op, long a, long b, Tensor ta, Tensor tb) {
    return switch (op) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> {
        if (b == 0) {
          throw new IllegalArgumentException(
              "binary DIV: integer division by zero (a "
                  + Checks.describe(ta)
                  + ", b "
                  + Checks.describe(tb)
                  + ")");
        }
        yield a / b; // truncates toward zero, as TensorFlow's integer Div
      }
      case MAXIMUM -> Math.max(a, b);
      case MINIMUM -> Math.min(a, b);
      case SQUARED_DIFFERENCE -> (a - b) * (a - b);
      case POW -> {
        if (b < 0) {
          throw new IllegalArgumentException(
              "binary POW: integers to negative integer powers are not allowed (exponent "
                  + b
                  + ", b "
                  + Checks.describe(tb)
                  + ")");
        }
        yield integerPower(a, b);
      }
    };
  }

  private static long integerPower(long base, long exponent) {
    long result = 1;
    long square = base;
    for (long e = exponent; e > 0; e >>= 1) {
      if ((e & 1) != 0) {
        result *= square;
      }
      square *= square;
    }
    return result;
  }

  public static Tensor sumToShape(Tensor grad, Shape shape) {
    String op = "sumToShape";
    Checks.requireNumeric(op, "grad", grad);
    Checks.requireDefined(op, "shape", shape);
    if (!Broadcast.broadcastsTo(shape, grad.shape())) {
      throw new IllegalArgumentException(
          op + ": shape " + shape + " does not broadcast to grad's shape " + grad.shape());
    }
    int[] target = Broadcast.sourceIndices(shape, grad.shape());
    if (grad.dtype().isFloating()) {
      double[] g = Buffers.doubles(grad);
      double[] r = new double[Buffers.count(shape)];
      for (int i = 0; i < g.length; i++) {
        r[target[i]] += g[i];
      }
      return Buffers.fromDoubles(grad.dtype(), shape, r);
    }
    long[] g = Buffers.longs(grad);
    long[] r = new long[Buffers.count(shape)];
    for (int i = 0; i < g.length; i++) {
      r[target[i]] += g[i];
    }
    return Buffers.fromLongs(grad.dtype(), shape, r);
  }

  /** {@code grad} where {@code lo < x < hi}, else 0 (ReluGrad: (0, inf); Relu6Grad: (0, 6)). */
  public static Tensor gatedGrad(String op, Tensor grad, Tensor x, double lo, double hi) {
    Checks.requireNumeric(op, "grad", grad);
    Checks.requireNumeric(op, "x", x);
    Checks.requireLike(op, "grad", grad, "x", x);
    double[] g = Buffers.doubles(grad);
    double[] v = Buffers.doubles(x);
    if (grad.dtype().isFloating()) {
      for (int i = 0; i < g.length; i++) {
        g[i] = v[i] > lo && v[i] < hi ? g[i] : 0;
      }
      return Buffers.fromDoubles(grad.dtype(), grad.shape(), g);
    }
    long[] gl = Buffers.longs(grad);
    for (int i = 0; i < gl.length; i++) {
      gl[i] = v[i] > lo && v[i] < hi ? gl[i] : 0;
    }
    return Buffers.fromLongs(grad.dtype(), grad.shape(), gl);
  }

  /** SigmoidGrad ({@code tanh == false}) or TanhGrad from the op's output {@code y}. */
  public static Tensor outputGrad(Tensor y, Tensor grad, boolean tanh) {
    String op = tanh ? "tanhGrad" : "sigmoidGrad";
    Checks.requireFloating(op, "y", y);
    Checks.requireFloating(op, "grad", grad);
    Checks.requireLike(op, "y", y, "grad", grad);
    double[] vy = Buffers.doubles(y);
    double[] g = Buffers.doubles(grad);
    for (int i = 0; i < g.length; i++) {
      g[i] = tanh ? g[i] * (1 - vy[i] * vy[i]) : g[i] * vy[i] * (1 - vy[i]);
    }
    return Buffers.fromDoubles(grad.dtype(), grad.shape(), g);
  }

  /**
   * TensorFlow's Elu: {@code x} where {@code x >= 0}, {@code e^x - 1} below (computed as {@link
   * Math#expm1}, so small negative inputs keep their digits).
   */
  public static Tensor elu(Tensor x) {
    Checks.requireFloating("elu", "x", x);
    double[] v = Buffers.doubles(x);
    for (int i = 0; i < v.length; i++) {
      if (v[i] < 0) {
        v[i] = Math.expm1(v[i]);
      }
    }
    return Buffers.fromDoubles(x.dtype(), x.shape(), v);
  }

  /**
   * TensorFlow's EluGrad from Elu's output {@code y}: {@code grad} where {@code y >= 0}, {@code
   * grad * (y + 1)} (that is, {@code grad * e^x}) below.
   */
  public static Tensor eluGrad(Tensor grad, Tensor y) {
    String op = "eluGrad";
    Checks.requireFloating(op, "gradients", grad);
    Checks.requireFloating(op, "outputs", y);
    Checks.requireLike(op, "gradients", grad, "outputs", y);
    double[] g = Buffers.doubles(grad);
    double[] vy = Buffers.doubles(y);
    for (int i = 0; i < g.length; i++) {
      if (vy[i] < 0) {
        g[i] *= vy[i] + 1;
      }
    }
    return Buffers.fromDoubles(grad.dtype(), grad.shape(), g);
  }

  public static Tensor equal(Tensor a, Tensor b) {
    String op = "equal";
    Checks.requireNonNull(op, "a", a);
    Checks.requireNonNull(op, "b", b);
    for (Tensor t : new Tensor[] {a, b}) {
      if (!Checks.isCastable(t.dtype())) {
        throw new IllegalArgumentException(op + ": unsupported type " + Checks.describe(t));
      }
    }
    Checks.requireSameDType(op, "a", a, "b", b);
    Shape out = Broadcast.shape(op, a.shape(), b.shape());
    int[] ia = Broadcast.sourceIndices(a.shape(), out);
    int[] ib = Broadcast.sourceIndices(b.shape(), out);
    long[] r = new long[ia.length];
    if (a.dtype().isFloating()) {
      double[] va = Buffers.doubles(a);
      double[] vb = Buffers.doubles(b);
      for (int i = 0; i < r.length; i++) {
        r[i] = va[ia[i]] == vb[ib[i]] ? 1 : 0; // NaN equals nothing; -0.0 equals 0.0
      }
    } else {
      long[] va = Buffers.longs(a);
      long[] vb = Buffers.longs(b);
      for (int i = 0; i < r.length; i++) {
        r[i] = va[ia[i]] == vb[ib[i]] ? 1 : 0;
      }
    }
    return Buffers.fromLongs(DType.BOOL, out, r);
  }

  public static Tensor cast(Tensor x, DType to) {
    String op = "cast";
    Checks.requireNonNull(op, "x", x);
    Checks.requireNonNull(op, "to", to);
    if (!Checks.isCastable(x.dtype()) || !Checks.isCastable(to)) {
      throw new IllegalArgumentException(
          op
              + ": cannot cast "
              + Checks.describe(x)
              + " to "
              + to
              + " (supported: FLOAT32, FLOAT64, INT32, INT64, UINT8, INT8, BOOL)");
    }
    if (x.dtype().isFloating()) {
      return Buffers.fromDoubles(to, x.shape(), Buffers.doubles(x));
    }
    return Buffers.fromLongs(to, x.shape(), Buffers.longs(x));
  }
}
