package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.types.Float64;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Checks {@link Gradients} against central finite differences in float64: the loss is {@code
 * sum(f(inputs) * r)} with a fixed random {@code r}, so every output element matters.
 */
final class GradientChecker {
  private static final double H = 1e-5;
  private static final int MAX_PROBES = 48;

  private GradientChecker() {}

  /** A float64 tensor of {@code shape} with values uniform in {@code [lo, hi)}. */
  static Tensor random(Random rnd, Shape shape, double lo, double hi) {
    double[] v = new double[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = lo + (hi - lo) * rnd.nextDouble();
    }
    return Tensor.ofDoubles(shape, v);
  }

  /** Values far from each other (for max pooling) and from 0 (for relu kinks). */
  static Tensor distinct(Random rnd, Shape shape) {
    int n = (int) shape.size();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, rnd);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (order.get(i) - n / 2.0 + 0.5) * 0.1;
    }
    return Tensor.ofDoubles(shape, v);
  }

  static void check(
      String label, List<Tensor> inputs, BiFunction<Ops, List<Output<Float64>>, Output<?>> f) {
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : inputs) {
      shapes.add(t.shape());
    }
    check(label, inputs, shapes, f);
  }

  /** As above, with placeholders of the given (possibly partly unknown) shapes. */
  static void check(
      String label,
      List<Tensor> inputs,
      List<Shape> placeholderShapes,
      BiFunction<Ops, List<Output<Float64>>, Output<?>> f) {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      List<Output<Float64>> xs = new ArrayList<>();
      for (Shape shape : placeholderShapes) {
        xs.add(tf.placeholder(FLOAT64, shape));
      }
      Output<Float64> y = f.apply(tf, xs).expect(FLOAT64);
      Shape yShape;
      try (Session.Result r = feed(s.runner(), xs, inputs).fetch(y).run()) {
        yShape = r.get(0).shape();
      }
      Output<Float64> weights = tf.placeholder(FLOAT64, yShape);
      Tensor w = random(new Random(label.hashCode()), yShape, -1, 1);
      Output<Float64> loss = tf.sum(tf.mul(y, weights));
      List<Output<?>> grads = Gradients.of(loss, xs);
      List<Tensor> analytic = new ArrayList<>();
      Session.Runner runner = feed(s.runner(), xs, inputs).feed(weights, w);
      for (Output<?> gr : grads) {
        runner.fetch(gr);
      }
      try (Session.Result r = runner.run()) {
        for (Tensor t : r) {
          analytic.add(t);
        }
      }
      for (int i = 0; i < inputs.size(); i++) {
        Tensor x = inputs.get(i);
        Tensor a = analytic.get(i);
        assertThat(a.shape()).as("%s: gradient %d shape", label, i).isEqualTo(x.shape());
        long n = x.size();
        long step = Math.max(1, n / MAX_PROBES);
        for (long j = 0; j < n; j += step) {
          double numeric = numeric(s, xs, inputs, weights, w, loss, i, j);
          double got = a.getDouble(j);
          assertThat(got)
              .as("%s: d loss / d input %d [%d] (numeric %s)", label, i, j, numeric)
              .isCloseTo(
                  numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-6 * Math.abs(numeric)));
        }
      }
    }
  }

  private static double numeric(
      Session s,
      List<Output<Float64>> xs,
      List<Tensor> inputs,
      Output<Float64> weights,
      Tensor w,
      Output<Float64> loss,
      int i,
      long j) {
    Tensor x = inputs.get(i);
    double orig = x.getDouble(j);
    List<Tensor> copy = new ArrayList<>(inputs);
    Tensor probe = x.copy();
    copy.set(i, probe);
    probe.setDouble(j, orig + H);
    double plus = lossAt(s, xs, copy, weights, w, loss);
    probe.setDouble(j, orig - H);
    double minus = lossAt(s, xs, copy, weights, w, loss);
    return (plus - minus) / (2 * H);
  }

  private static double lossAt(
      Session s,
      List<Output<Float64>> xs,
      List<Tensor> inputs,
      Output<Float64> weights,
      Tensor w,
      Output<Float64> loss) {
    try (Session.Result r = feed(s.runner(), xs, inputs).feed(weights, w).fetch(loss).run()) {
      return r.get(0).getDouble(0);
    }
  }

  private static Session.Runner feed(
      Session.Runner runner, List<Output<Float64>> xs, List<Tensor> inputs) {
    for (int i = 0; i < xs.size(); i++) {
      runner.feed(xs.get(i), inputs.get(i));
    }
    return runner;
  }
}
