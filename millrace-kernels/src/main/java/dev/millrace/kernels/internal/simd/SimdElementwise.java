package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.BinaryOp;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.kernels.internal.ElementwiseKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementwise FLOAT32 kernels. Broadcasting is reduced to runs: the output's axes are merged into
 * groups over which each operand is either contiguous or constant, the last group is the vector
 * loop (both operands contiguous, or one of them a broadcast scalar) and the others an odometer.
 * Each loop switches on the op inside its body: the switch is loop-invariant and predictable, and
 * every branch is a Vector API operation with a constant operator, which C2 compiles to one
 * instruction (a non-constant operator would fall back to a slow Java loop).
 */
public final class SimdElementwise {
  private SimdElementwise() {}

  private static final FloatVector ZERO = FloatVector.zero(Gemm.F);
  private static final FloatVector ONE = FloatVector.broadcast(Gemm.F, 1f);
  private static final FloatVector SIX = FloatVector.broadcast(Gemm.F, 6f);

  /** True for the unary ops this class computes. */
  public static boolean supports(UnaryOp op) {
    return op != null;
  }

  /**
   * {@code op} of every element. Where {@code x} is an NCHW value with an NHWC twin ({@link
   * dev.millrace.kernels.LayoutTwins}), the twin is mapped too and kept as the result's twin, so
   * that the NCHW kernel reading the result (a pooling after a ReLU) needs no layout copy.
   */
  public static Tensor unary(UnaryOp op, Tensor x, KernelThreads threads) {
    float[] twin = OutputBuffers.twinOf(x);
    Tensor out = elementwise(op, x, threads);
    if (twin != null) {
      Tensor mappedTwin = elementwise(op, Tensor.wrapping(Shape.of(twin.length), twin), threads);
      if (!OutputBuffers.keepTwin(out, mappedTwin)) {
        OutputBuffers.giveBack(mappedTwin);
      }
    }
    return out;
  }

  private static Tensor elementwise(UnaryOp op, Tensor x, KernelThreads threads) {
    float[] v = Floats.of(x);
    Tensor out = Floats.toOverwrite(x.shape());
    float[] y = Floats.array(out);
    int n = v.length;
    IntRange.split(
        n / Gemm.NR,
        IntRange.tasksFor(n, threads),
        threads,
        (task, v0, v1) -> {
          for (int i = v0 * Gemm.NR; i < v1 * Gemm.NR; i += Gemm.NR) {
            unary(op, FloatVector.fromArray(Gemm.F, v, i)).intoArray(y, i);
          }
        });
    for (int i = n / Gemm.NR * Gemm.NR; i < n; i++) {
      y[i] = unary(op, FloatVector.broadcast(Gemm.F, v[i])).lane(0);
    }
    return out;
  }

  private static FloatVector unary(UnaryOp op, FloatVector x) {
    return switch (op) {
      case IDENTITY -> x;
      case NEG -> x.neg();
      case ABS -> x.abs();
      case SQUARE -> x.mul(x);
      case SQRT -> x.sqrt();
      case RSQRT -> ONE.div(x.sqrt());
      case EXP -> LaneMath.exp(x);
      case LOG -> LaneMath.log(x);
      case RELU -> x.max(ZERO);
      case RELU6 -> x.max(ZERO).min(SIX);
      case SIGMOID -> ONE.div(ONE.add(LaneMath.exp(x.neg())));
      case TANH -> LaneMath.tanh(x);
      case RECIPROCAL -> ONE.div(x);
    };
  }

  /** True for the binary ops this class computes (POW goes to the reference kernels). */
  public static boolean supports(BinaryOp op) {
    return op != null && op != BinaryOp.POW;
  }

  /**
   * {@code op(a, b)} with broadcasting to {@code out} (the validated broadcast shape).
   *
   * @return the result, or null if the shapes need a pattern not handled here
   */
  public static Tensor binary(BinaryOp op, Tensor a, Tensor b, Shape out, KernelThreads threads) {
    Runs runs = Runs.of(out, a.shape(), b.shape());
    Tensor result = Floats.toOverwrite(out);
    float[] va = Floats.of(a);
    float[] vb = Floats.of(b);
    float[] y = Floats.array(result);
    int outer = runs.outerCount();
    int len = runs.innerLength();
    IntRange.split(
        outer,
        IntRange.tasksFor((long) outer * len, threads),
        threads,
        (task, o0, o1) -> {
          int[] at = new int[2];
          for (int o = o0; o < o1; o++) {
            runs.offsets(o, at);
            binaryRun(op, va, at[0], runs.innerA(), vb, at[1], runs.innerB(), y, o * len, len);
          }
        });
    return result;
  }

  /**
   * One run of {@code n} outputs. Each broadcast pattern has its own method, so that C2 compiles
   * each with its own profile: a pattern first seen late does not deoptimize the others' code.
   */
  private static void binaryRun(
      BinaryOp op, float[] a, int ao, int ia, float[] b, int bo, int ib, float[] y, int yo, int n) {
    if (ia == 1 && ib == 1) {
      bothRuns(op, a, ao, b, bo, y, yo, n);
    } else if (ia == 1) {
      scalarRight(op, a, ao, b[bo], y, yo, n);
    } else {
      scalarLeft(op, a[ao], b, bo, y, yo, n);
    }
  }

  private static void bothRuns(
      BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      binary(op, FloatVector.fromArray(Gemm.F, a, ao + i), FloatVector.fromArray(Gemm.F, b, bo + i))
          .intoArray(y, yo + i);
    }
    for (; i < n; i++) {
      y[yo + i] = binary(op, a[ao + i], b[bo + i]);
    }
  }

  private static void scalarRight(
      BinaryOp op, float[] a, int ao, float b, float[] y, int yo, int n) {
    FloatVector vb = FloatVector.broadcast(Gemm.F, b);
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      binary(op, FloatVector.fromArray(Gemm.F, a, ao + i), vb).intoArray(y, yo + i);
    }
    for (; i < n; i++) {
      y[yo + i] = binary(op, a[ao + i], b);
    }
  }

  private static void scalarLeft(
      BinaryOp op, float a, float[] b, int bo, float[] y, int yo, int n) {
    FloatVector va = FloatVector.broadcast(Gemm.F, a);
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      binary(op, va, FloatVector.fromArray(Gemm.F, b, bo + i)).intoArray(y, yo + i);
    }
    for (; i < n; i++) {
      y[yo + i] = binary(op, a, b[bo + i]);
    }
  }

  /** The scalar twin of {@link #binary(BinaryOp, FloatVector, FloatVector)}, for the tails. */
  private static float binary(BinaryOp op, float a, float b) {
    return switch (op) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MAXIMUM -> Math.max(a, b);
      case MINIMUM -> Math.min(a, b);
      case SQUARED_DIFFERENCE -> (a - b) * (a - b);
      case POW -> (float) Math.pow(a, b);
    };
  }

  private static FloatVector binary(BinaryOp op, FloatVector a, FloatVector b) {
    return switch (op) {
      case ADD -> a.add(b);
      case SUB -> a.sub(b);
      case MUL -> a.mul(b);
      case DIV -> a.div(b);
      case MAXIMUM -> a.max(b);
      case MINIMUM -> a.min(b);
      case SQUARED_DIFFERENCE -> {
        FloatVector d = a.sub(b);
        yield d.mul(d);
      }
      case POW -> a.pow(b);
    };
  }

  /**
   * TensorFlow's Elu on FLOAT32 as TensorFlow computes it, {@code e^x - 1} below zero (other types:
   * the reference).
   */
  public static Tensor elu(Tensor x, KernelThreads threads) {
    if (x.dtype() != DType.FLOAT32) {
      return ElementwiseKernels.elu(x);
    }
    float[] v = Floats.of(x);
    Tensor out = Floats.toOverwrite(x.shape());
    float[] y = Floats.array(out);
    int n = v.length;
    IntRange.split(
        n / Gemm.NR,
        IntRange.tasksFor(n, threads),
        threads,
        (task, v0, v1) -> {
          for (int i = v0 * Gemm.NR; i < v1 * Gemm.NR; i += Gemm.NR) {
            elu(FloatVector.fromArray(Gemm.F, v, i)).intoArray(y, i);
          }
        });
    for (int i = n / Gemm.NR * Gemm.NR; i < n; i++) {
      y[i] = elu(FloatVector.broadcast(Gemm.F, v[i])).lane(0);
    }
    return out;
  }

  private static FloatVector elu(FloatVector x) {
    return x.blend(LaneMath.exp(x).sub(1f), x.lt(0f));
  }

  /**
   * TensorFlow's EluGrad on FLOAT32 from Elu's output {@code y}: {@code grad * (y + 1)} below zero
   * (other types: the reference).
   */
  public static Tensor eluGrad(Tensor grad, Tensor y, KernelThreads threads) {
    if (grad.dtype() != DType.FLOAT32
        || y.dtype() != DType.FLOAT32
        || !grad.shape().equals(y.shape())) {
      return ElementwiseKernels.eluGrad(grad, y);
    }
    float[] g = Floats.of(grad);
    float[] vy = Floats.of(y);
    Tensor out = Floats.toOverwrite(grad.shape());
    float[] r = Floats.array(out);
    int n = g.length;
    IntRange.split(
        n / Gemm.NR,
        IntRange.tasksFor(n, threads),
        threads,
        (task, v0, v1) -> {
          for (int i = v0 * Gemm.NR; i < v1 * Gemm.NR; i += Gemm.NR) {
            FloatVector yv = FloatVector.fromArray(Gemm.F, vy, i);
            FloatVector gv = FloatVector.fromArray(Gemm.F, g, i);
            gv.blend(gv.mul(yv.add(1f)), yv.lt(0f)).intoArray(r, i);
          }
        });
    for (int i = n / Gemm.NR * Gemm.NR; i < n; i++) {
      r[i] = vy[i] < 0 ? g[i] * (vy[i] + 1) : g[i];
    }
    return out;
  }

  /** {@code grad} where {@code lo < x < hi}, else 0. */
  public static Tensor gatedGrad(Tensor grad, Tensor x, float lo, float hi, KernelThreads t) {
    float[] g = Floats.of(grad);
    float[] v = Floats.of(x);
    Tensor out = Floats.toOverwrite(grad.shape());
    float[] y = Floats.array(out);
    int n = g.length;
    IntRange.split(
        n / Gemm.NR,
        IntRange.tasksFor(n, t),
        t,
        (task, v0, v1) -> {
          for (int i = v0 * Gemm.NR; i < v1 * Gemm.NR; i += Gemm.NR) {
            FloatVector xv = FloatVector.fromArray(Gemm.F, v, i);
            VectorMask<Float> open = xv.compare(VectorOperators.GT, lo).and(xv.lt(hi));
            FloatVector.fromArray(Gemm.F, g, i).blend(ZERO, open.not()).intoArray(y, i);
          }
        });
    for (int i = n / Gemm.NR * Gemm.NR; i < n; i++) {
      y[i] = v[i] > lo && v[i] < hi ? g[i] : 0f;
    }
    return out;
  }

  /**
   * The output's axes merged into runs: for output run index {@code o} (all groups but the last),
   * the offsets into a and b; the last group is the contiguous inner loop.
   */
  record Runs(int[] dims, int[] strideA, int[] strideB, int innerLength, int innerA, int innerB) {
    static Runs of(Shape out, Shape a, Shape b) {
      int rank = out.rank();
      int[] d = new int[rank];
      boolean[] fullA = new boolean[rank];
      boolean[] fullB = new boolean[rank];
      int k = 0;
      for (int i = 0; i < rank; i++) {
        int dim = Math.toIntExact(out.dim(i));
        if (dim == 1) {
          continue; // size-1 axes move nothing
        }
        boolean fa = dimFromEnd(a, rank - 1 - i) != 1;
        boolean fb = dimFromEnd(b, rank - 1 - i) != 1;
        if (k > 0 && fullA[k - 1] == fa && fullB[k - 1] == fb) {
          d[k - 1] *= dim;
        } else {
          d[k] = dim;
          fullA[k] = fa;
          fullB[k] = fb;
          k++;
        }
      }
      if (k == 0) {
        return new Runs(new int[0], new int[0], new int[0], 1, 1, 1);
      }
      // Element strides of each merged group in a and b (0 where broadcast).
      int[] sa = new int[k];
      int[] sb = new int[k];
      int ra = 1;
      int rb = 1;
      for (int g = k - 1; g >= 0; g--) {
        sa[g] = fullA[g] ? ra : 0;
        sb[g] = fullB[g] ? rb : 0;
        ra *= fullA[g] ? d[g] : 1;
        rb *= fullB[g] ? d[g] : 1;
      }
      return new Runs(
          java.util.Arrays.copyOf(d, k - 1),
          java.util.Arrays.copyOf(sa, k - 1),
          java.util.Arrays.copyOf(sb, k - 1),
          d[k - 1],
          fullA[k - 1] ? 1 : 0,
          fullB[k - 1] ? 1 : 0);
    }

    int outerCount() {
      int n = 1;
      for (int x : dims) {
        n *= x;
      }
      return n;
    }

    /** Offsets of outer run {@code o} in a and b. */
    void offsets(int o, int[] at) {
      int oa = 0;
      int ob = 0;
      for (int g = dims.length - 1; g >= 0; g--) {
        int i = o % dims[g];
        o /= dims[g];
        oa += i * strideA[g];
        ob += i * strideB[g];
      }
      at[0] = oa;
      at[1] = ob;
    }

    private static long dimFromEnd(Shape s, int fromEnd) {
      return fromEnd < s.rank() ? s.dim(s.rank() - 1 - fromEnd) : 1;
    }
  }
}
