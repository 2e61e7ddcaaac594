package dev.millrace.graph.internal;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.GradientContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Gradients of the array ops: each routes the gradient back to where the elements came from. */
final class ArrayGrads {
  private ArrayGrads() {}

  static List<Output<?>> reshape(GradientContext c) {
    return Arrays.asList(G.reshapeLike(c.ops(), c.grad(0), c.input(0)), null);
  }

  static List<Output<?>> reshapeLikeInput(GradientContext c) {
    return List.of(G.reshapeLike(c.ops(), c.grad(0), c.input(0)));
  }

  static List<Output<?>> transpose(GradientContext c) {
    long[] perm =
        Consts.valueOf(c.input(1))
            .map(Consts::longs)
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs a constant perm"));
    long[] inverse = new long[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inverse[(int) perm[i]] = i;
    }
    Ops tf = c.ops();
    return Arrays.asList(G.op(tf, "Transpose", c.grad(0), G.ints(tf, inverse)), null);
  }

  static List<Output<?>> concat(GradientContext c) {
    Ops tf = c.ops();
    int n = c.op().numInputs() - 1;
    Output<?> first = c.input(0);
    int rank = first.shape().rank();
    long axisValue =
        Consts.valueOf(c.input(n))
            .map(t -> Consts.longs(t)[0])
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs a constant axis"));
    int axis = (int) (axisValue < 0 ? axisValue + rank : axisValue);
    List<Output<?>> grads = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < n; i++) {
      Output<?> in = c.input(i);
      long size = in.shape().dim(axis);
      if (size < 0) {
        throw new IllegalArgumentException(
            c.op() + ": gradient needs static sizes along axis " + axis + ", input " + in);
      }
      long[] begin = new long[rank];
      long[] sizes = new long[rank];
      Arrays.fill(sizes, -1);
      begin[axis] = offset;
      sizes[axis] = size;
      grads.add(G.op(tf, "Slice", c.grad(0), G.ints(tf, begin), G.ints(tf, sizes)));
      offset += size;
    }
    grads.add(null);
    return grads;
  }

  static List<Output<?>> pad(GradientContext c) {
    Ops tf = c.ops();
    long[] p =
        Consts.valueOf(c.input(1))
            .map(Consts::longs)
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs constant paddings"));
    long[] begin = new long[p.length / 2];
    for (int i = 0; i < begin.length; i++) {
      begin[i] = p[2 * i];
    }
    Output<?> g = G.op(tf, "Slice", c.grad(0), G.ints(tf, begin), G.shapeOf(tf, c.input(0)));
    return Arrays.asList(g, null);
  }

  static List<Output<?>> cast(GradientContext c) {
    Output<?> x = c.input(0);
    if (!x.dtype().isFloating() || !c.output(0).dtype().isFloating()) {
      return Collections.singletonList(null);
    }
    return List.of(G.op(c.ops(), "Cast", Map.of("DstT", AttrValue.of(x.dtype())), c.grad(0)));
  }

  static List<Output<?>> broadcastTo(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> g = c.grad(0);
    if (x.hasKnownRank()
        && g.hasKnownRank()
        && x.shape().isFullyDefined()
        && g.shape().isFullyDefined()) {
      return Arrays.asList(G.sumToShapeOf(tf, g, x, x), null);
    }
    Output<?> sx = G.op(tf, "Shape", x);
    Output<?> rx = tf.op("BroadcastGradientArgs", List.of(sx, c.input(1)), Map.of()).output(0);
    return Arrays.asList(G.reshape(tf, G.sum(tf, g, rx, false), sx), null);
  }
}
