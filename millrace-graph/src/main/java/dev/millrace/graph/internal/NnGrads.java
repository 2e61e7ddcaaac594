package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.G.mul;
import static dev.millrace.graph.internal.G.sub;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.GradientContext;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Gradients of the neural-network ops, through their TensorFlow gradient ops. */
final class NnGrads {
  private NnGrads() {}

  private static Map<String, AttrValue> attrsOf(Operation op, String... drop) {
    Map<String, AttrValue> a = new HashMap<>(op.attributes());
    for (String d : drop) {
      a.remove(d);
    }
    return a;
  }

  static List<Output<?>> biasAdd(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    Output<?> db = G.op(tf, "BiasAddGrad", Map.of("data_format", c.op().attr("data_format")), g);
    return Arrays.asList(g, db);
  }

  static List<Output<?>> relu(GradientContext c) {
    // relu(x) > 0 exactly where x > 0, so the output serves as the features (and the input can
    // be released earlier), as TensorFlow does.
    return List.of(G.op(c.ops(), "ReluGrad", c.grad(0), c.output(0)));
  }

  static List<Output<?>> relu6(GradientContext c) {
    return List.of(G.op(c.ops(), "Relu6Grad", c.grad(0), c.output(0)));
  }

  static List<Output<?>> softmax(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    Output<?> g = c.grad(0);
    Output<?> dot = G.sum(tf, mul(tf, g, y), G.ints(tf, -1), true);
    return List.of(mul(tf, sub(tf, g, dot), y));
  }

  static List<Output<?>> logSoftmax(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    Output<?> g = c.grad(0);
    Output<?> total = G.sum(tf, g, G.ints(tf, -1), true);
    return List.of(sub(tf, g, mul(tf, G.op(tf, "Exp", y), total)));
  }

  static List<Output<?>> sparseSoftmaxCrossEntropy(GradientContext c) {
    Ops tf = c.ops();
    if (c.grad(1) != null) {
      throw new IllegalArgumentException(
          c.op() + ": the gradient of its backprop output is not defined (as in TensorFlow)");
    }
    Output<?> g = G.reshape(tf, c.grad(0), G.ints(tf, -1, 1));
    return Arrays.asList(mul(tf, g, c.output(1)), null);
  }

  static List<Output<?>> fusedBatchNorm(GradientContext c) {
    Ops tf = c.ops();
    Operation op = c.op();
    if (c.grad(0) == null) {
      return Arrays.asList(null, null, null, null, null);
    }
    Map<String, AttrValue> a =
        Map.of(
            "epsilon", op.attr("epsilon"),
            "data_format", op.attr("data_format"),
            "is_training", op.attr("is_training"));
    Operation grad =
        tf.op(
            "FusedBatchNormGradV3",
            List.of(c.grad(0), c.input(0), c.input(1), c.output(3), c.output(4), c.output(5)),
            a);
    return Arrays.asList(grad.output(0), grad.output(1), grad.output(2), null, null);
  }
}
