package dev.millrace.graph;

import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.GradientFunction;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation: adds to the graph the operations that compute the
 * gradient of a loss with respect to chosen tensors (TensorFlow's {@code tf.gradients}). Each op's
 * gradient comes from its registry entry; where several paths meet, gradients are summed with AddN.
 * Gradients flow through floating-point edges only; control edges carry none.
 */
public final class Gradients {
  private Gradients() {}

  /**
   * {@code d sum(loss) / d x} for each {@code x}, in order. A tensor the loss does not depend on
   * gets zeros (TensorFlow's {@code unconnected_gradients=ZERO}). Fails naming the op when a
   * differentiable path crosses an op without a gradient.
   */
  public static List<Output<?>> of(Operand<?> loss, List<? extends Operand<?>> xs) {
    return of(loss, xs, null);
  }

  /** As {@link #of(Operand, List)}, starting from {@code dy} (same shape as loss) instead of 1. */
  public static List<Output<?>> of(Operand<?> loss, List<? extends Operand<?>> xs, Operand<?> dy) {
    Output<?> y = loss.asOutput();
    Graph graph = y.op().graph();
    if (!y.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "Gradients: loss " + y.name() + " must be floating-point, got " + y.dtype());
    }
    List<Operation> ops = graph.operations();
    int last = y.op().index();
    boolean[] reachesLoss = new boolean[last + 1];
    reachesLoss[last] = true;
    for (int i = last; i >= 0; i--) {
      if (reachesLoss[i]) {
        for (Output<?> in : ops.get(i).inputs()) {
          reachesLoss[in.op().index()] = true;
        }
      }
    }
    Set<Output<?>> sources = new HashSet<>();
    int first = last;
    for (Operand<?> x : xs) {
      Output<?> o = x.asOutput();
      if (o.op().graph() != graph) {
        throw new IllegalArgumentException("Gradients: " + o.name() + " is in another graph");
      }
      sources.add(o);
      first = Math.min(first, o.op().index());
    }
    boolean[] onPath = new boolean[last + 1];
    for (int i = first; i <= last; i++) {
      for (Output<?> in : ops.get(i).inputs()) {
        if (sources.contains(in) || (in.op().index() >= first && onPath[in.op().index()])) {
          onPath[i] = reachesLoss[i];
          break;
        }
      }
    }
    Ops root = Ops.on(graph).withSubScope("gradients");
    Map<Output<?>, List<Output<?>>> pending = new HashMap<>();
    Output<?> seed = dy != null ? dy.asOutput() : ones(root, y);
    pending.computeIfAbsent(y, k -> new ArrayList<>()).add(seed);
    for (int i = last; i >= first; i--) {
      Operation op = ops.get(i);
      if (!onPath[i]) {
        continue;
      }
      backprop(root, op, pending);
    }
    List<Output<?>> result = new ArrayList<>();
    for (Operand<?> x : xs) {
      Output<?> o = x.asOutput();
      Output<?> g = total(root, pending.get(o));
      result.add(g != null ? g : root.op("ZerosLike", List.of(o), Map.of()).output(0));
    }
    return result;
  }

  private static Output<?> ones(Ops root, Output<?> y) {
    if (y.hasKnownRank() && y.shape().isFullyDefined()) {
      Shape s = y.shape();
      Tensor t = Tensor.zeros(y.dtype(), s);
      for (long i = 0; i < t.size(); i++) {
        if (y.dtype() == DType.FLOAT64) {
          t.setDouble(i, 1);
        } else {
          t.setFloat(i, 1);
        }
      }
      return root.constant(t);
    }
    return root.op("OnesLike", List.of(y), Map.of()).output(0);
  }

  private static Output<?> total(Ops root, List<Output<?>> parts) {
    if (parts == null || parts.isEmpty()) {
      return null;
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return root.op("AddN", parts, Map.of()).output(0);
  }

  private static void backprop(Ops root, Operation op, Map<Output<?>, List<Output<?>>> pending) {
    Output<?>[] grads = new Output<?>[op.numOutputs()];
    boolean any = false;
    for (int k = 0; k < grads.length; k++) {
      grads[k] = total(root, pending.get(op.output(k)));
      if (grads[k] != null) {
        // Summed once: a requested tensor that is also an intermediate reads the same sum.
        pending.put(op.output(k), new ArrayList<>(List.of(grads[k])));
        any = true;
      }
    }
    if (!any) {
      return;
    }
    boolean floatingInput = false;
    for (Output<?> in : op.inputs()) {
      floatingInput |= in.dtype().isFloating();
    }
    if (!floatingInput) {
      return;
    }
    GradientFunction fn =
        op.def()
            .gradient()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Gradients: no gradient is defined for "
                            + op
                            + " (on the path to the loss)"));
    Ops scope = root.withSubScope(op.name() + "_grad");
    List<Output<?>> inGrads = fn.apply(context(op, scope, grads));
    if (inGrads.size() != op.numInputs()) {
      throw new IllegalStateException(
          op
              + ": gradient function returned "
              + inGrads.size()
              + " gradients for "
              + op.numInputs()
              + " inputs");
    }
    for (int j = 0; j < inGrads.size(); j++) {
      Output<?> g = inGrads.get(j);
      Output<?> in = op.input(j);
      if (g == null || !in.dtype().isFloating()) {
        continue;
      }
      if (g.dtype() != in.dtype()
          || (g.hasKnownRank() && in.hasKnownRank() && !g.shape().isCompatibleWith(in.shape()))) {
        throw new IllegalStateException(
            op + ": gradient " + g + " does not match input " + j + " " + in);
      }
      pending.computeIfAbsent(in, k -> new ArrayList<>()).add(g);
    }
  }

  private static GradientContext context(Operation op, Ops scope, Output<?>[] grads) {
    return new GradientContext() {
      @Override
      public Operation op() {
        return op;
      }

      @Override
      public Ops ops() {
        return scope;
      }

      @Override
      public Output<?> input(int i) {
        return op.input(i);
      }

      @Override
      public Output<?> output(int i) {
        return op.output(i);
      }

      @Override
      public Output<?> grad(int i) {
        return grads[i];
      }
    };
  }
}
