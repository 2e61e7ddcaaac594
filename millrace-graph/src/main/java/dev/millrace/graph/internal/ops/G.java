package dev.millrace.graph.internal.ops;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Operand;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Untyped graph-building helpers for gradient functions. Where a shape is known statically they
 * emit constants (so gradient graphs stay small); otherwise they compute shapes at run time with
 * Shape, BroadcastGradientArgs and friends, as TensorFlow does.
 */
final class G {
  private G() {}

  static Output<?> op(Ops tf, String type, Map<String, AttrValue> attrs, Operand<?>... inputs) {
    return tf.op(type, List.of(inputs), attrs).output(0);
  }

  static Output<?> op(Ops tf, String type, Operand<?>... inputs) {
    return op(tf, type, Map.of(), inputs);
  }

  static Output<?> add(Ops tf, Operand<?> a, Operand<?> b) {
    return op(tf, "AddV2", a, b);
  }

  static Output<?> sub(Ops tf, Operand<?> a, Operand<?> b) {
    return op(tf, "Sub", a, b);
  }

  static Output<?> mul(Ops tf, Operand<?> a, Operand<?> b) {
    return op(tf, "Mul", a, b);
  }

  static Output<?> div(Ops tf, Operand<?> a, Operand<?> b) {
    return op(tf, "RealDiv", a, b);
  }

  static Output<?> neg(Ops tf, Operand<?> a) {
    return op(tf, "Neg", a);
  }

  static Output<?> scalar(Ops tf, DType type, double v) {
    return tf.constant(Defs.floating(type, v));
  }

  static Output<?> ints(Ops tf, long... values) {
    return tf.constant(Defs.intVector(DType.INT32, values));
  }

  /** The shape of {@code x}: a constant when static, else a Shape op. */
  static Output<?> shapeOf(Ops tf, Output<?> x) {
    if (x.hasKnownRank() && x.shape().isFullyDefined()) {
      return ints(tf, x.shape().dims());
    }
    return op(tf, "Shape", x);
  }

  static Output<?> reshape(Ops tf, Output<?> x, Output<?> shape) {
    return op(tf, "Reshape", x, shape);
  }

  static Output<?> reshapeLike(Ops tf, Output<?> g, Output<?> like) {
    if (g.hasKnownRank()
        && like.hasKnownRank()
        && g.shape().equals(like.shape())
        && like.shape().isFullyDefined()) {
      return g;
    }
    return reshape(tf, g, shapeOf(tf, like));
  }

  static Output<?> sum(Ops tf, Output<?> x, Output<?> axes, boolean keepDims) {
    return op(tf, "Sum", Map.of("keep_dims", AttrValue.of(keepDims)), x, axes);
  }

  /**
   * Sums the gradient {@code g} of a broadcasting op down to the shape of its input {@code x} (the
   * other input being {@code y}).
   */
  static Output<?> sumToShapeOf(Ops tf, Output<?> g, Output<?> x, Output<?> y) {
    if (g.hasKnownRank()
        && x.hasKnownRank()
        && g.shape().isFullyDefined()
        && x.shape().isFullyDefined()) {
      Shape gs = g.shape();
      Shape xs = x.shape();
      if (gs.equals(xs)) {
        return g;
      }
      List<Long> axes = new ArrayList<>();
      int lead = gs.rank() - xs.rank();
      for (int i = 0; i < gs.rank(); i++) {
        if (i < lead || (xs.dim(i - lead) == 1 && gs.dim(i) != 1)) {
          axes.add((long) i);
        }
      }
      Output<?> summed =
          axes.isEmpty()
              ? g
              : sum(tf, g, ints(tf, axes.stream().mapToLong(Long::longValue).toArray()), false);
      return reshape(tf, summed, ints(tf, xs.dims()));
    }
    Output<?> sx = op(tf, "Shape", x);
    Output<?> sy = op(tf, "Shape", y);
    Output<?> rx = tf.op("BroadcastGradientArgs", List.of(sx, sy), Map.of()).output(0);
    // keep_dims: with axes known only at run time, a reduction that keeps its dimensions still has
    // a known rank, so the reshape after it (and every gradient downstream) keeps one too.
    return reshape(tf, sum(tf, g, rx, true), sx);
  }

  /** A constant tensor of {@code type} and {@code shape} filled with {@code value}. */
  static Output<?> filled(Ops tf, DType type, Shape shape, double value) {
    Tensor t = Tensor.zeros(type, shape);
    for (long i = 0; i < t.size(); i++) {
      if (type == DType.FLOAT64) {
        t.setDouble(i, value);
      } else {
        t.setFloat(i, (float) value);
      }
    }
    return tf.constant(t);
  }
}
