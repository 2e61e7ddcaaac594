package dev.millrace.graph.train;

import static dev.millrace.graph.types.Types.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Initializers;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float64;
import dev.millrace.graph.types.Int64;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each optimizer against its formula, on {@code loss = sum(c * w)} (so {@code grad = c}). */
class OptimizerTest {
  private static final double[] W0 = {1.0, -2.0};
  private static final double[] C = {0.5, -3.0};

  /** The variable's value after each of {@code steps} training steps. */
  private static List<double[]> trajectory(Optimizer opt, int steps) {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Variable<Float64> w = tf.withName("w").variable(tf.constant(Shape.of(2), W0));
      Output<Float64> loss = tf.sum(tf.mul(tf.constant(Shape.of(2), C), w));
      Operation train = opt.minimize(loss);
      List<double[]> out = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        s.runner().target(train).run();
        out.add(s.readVariable(w).toDoubleArray());
      }
      return out;
    }
  }

  @Test
  void gradientDescentStepsAgainstTheGradient() {
    double[] w = trajectory(new Sgd(0.1), 1).get(0);
    assertThat(w[0]).isCloseTo(W0[0] - 0.1 * C[0], within(1e-12));
    assertThat(w[1]).isCloseTo(W0[1] - 0.1 * C[1], within(1e-12));
  }

  @Test
  void momentumAccumulatesAndNesterovLooksAhead() {
    List<double[]> m = trajectory(new Sgd(0.1, 0.9), 2);
    // accum1 = g, accum2 = 0.9 g + g
    assertThat(m.get(1)[0]).isCloseTo(W0[0] - 0.1 * C[0] - 0.1 * 1.9 * C[0], within(1e-12));
    List<double[]> n = trajectory(new Sgd(0.1, 0.9).withNesterov(true), 1);
    assertThat(n.get(0)[1]).isCloseTo(W0[1] - 0.1 * (C[1] + 0.9 * C[1]), within(1e-12));
  }

  @Test
  void weightDecayIsAddedToTheGradientForSgd() {
    double[] w = trajectory(new Sgd(0.1).withWeightDecay(0.01), 1).get(0);
    assertThat(w[0]).isCloseTo(W0[0] - 0.1 * (C[0] + 0.01 * W0[0]), within(1e-12));
  }

  @Test
  void adamFollowsApplyAdam() {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    List<double[]> got = trajectory(new Adam(lr), 3);
    double[] w = W0.clone();
    double[] m = new double[2];
    double[] v = new double[2];
    for (int t = 1; t <= 3; t++) {
      double lrT = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
      for (int i = 0; i < 2; i++) {
        m[i] = b1 * m[i] + (1 - b1) * C[i];
        v[i] = b2 * v[i] + (1 - b2) * C[i] * C[i];
        w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + eps);
      }
      assertThat(got.get(t - 1)[0]).as("step %d", t).isCloseTo(w[0], within(1e-12));
      assertThat(got.get(t - 1)[1]).as("step %d", t).isCloseTo(w[1], within(1e-12));
    }
  }

  @Test
  void adamWeightDecayIsDecoupled() {
    double[] plain = trajectory(new Adam(0.01), 1).get(0);
    double[] decayed = trajectory(new Adam(0.01).withWeightDecay(0.1), 1).get(0);
    for (int i = 0; i < 2; i++) {
      double shrunk = W0[i] * (1 - 0.01 * 0.1);
      assertThat(decayed[i]).isCloseTo(shrunk + (plain[i] - W0[i]), within(1e-12));
    }
  }

  @Test
  void lossFetchedWithTheTrainingOpSeesTheValuesBeforeTheUpdate() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Variable<Float64> w = tf.variable(tf.constant(Shape.of(2), W0));
      Output<Float64> loss = tf.sum(tf.square(w));
      Operation train = new Sgd(0.25).minimize(loss);
      s.initialize();
      for (int i = 0; i < 5; i++) {
        double[] before = s.readVariable(w).toDoubleArray();
        double expected = before[0] * before[0] + before[1] * before[1];
        double got = s.runner().fetch(loss).target(train).run().get(0).getDouble(0);
        assertThat(got).isCloseTo(expected, within(1e-12));
      }
      Variable<?> iterations =
          g.variables().stream()
              .filter(v -> v.name().endsWith("iterations"))
              .findFirst()
              .orElseThrow();
      assertThat(iterations.isTrainable()).isFalse();
      assertThat(s.readVariable(iterations).getLong(0)).isEqualTo(5);
    }
  }

  @Test
  void schedulesComputeTheSameRatesInGraphAndInJava() {
    List<LearningRateSchedule> schedules =
        List.of(
            LearningRateSchedule.constant(0.1),
            LearningRateSchedule.step(0.1, 0.5, 3),
            LearningRateSchedule.cosine(0.1, 10, 0.01));
    assertThat(schedules.get(1).valueAt(5)).isCloseTo(0.05, within(1e-15));
    assertThat(schedules.get(2).valueAt(0)).isCloseTo(0.1, within(1e-15));
    assertThat(schedules.get(2).valueAt(10)).isCloseTo(0.001, within(1e-15));
    assertThat(schedules.get(2).valueAt(50)).isCloseTo(0.001, within(1e-15));
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Variable<Int64> step = tf.variable(INT64, Shape.scalar(), Initializers.zeros());
      List<Output<Float64>> rates = new ArrayList<>();
      for (LearningRateSchedule sch : schedules) {
        rates.add(sch.build(tf, step.asOutput()));
      }
      for (long t : new long[] {0, 1, 2, 3, 7, 10, 12}) {
        s.writeVariable(step, Tensor.ofLongs(Shape.scalar(), t));
        for (int i = 0; i < schedules.size(); i++) {
          double got = s.runner().fetch(rates.get(i)).run().get(0).getDouble(0);
          assertThat(got)
              .as("%s at %d", schedules.get(i), t)
              .isCloseTo(schedules.get(i).valueAt(t), within(1e-12));
        }
      }
    }
  }

  @Test
  void optimizerFollowsItsSchedule() {
    List<double[]> w =
        trajectory(new Sgd(0.1).withSchedule(LearningRateSchedule.step(0.1, 0.5, 2)), 4);
    double[] deltas = new double[4];
    double prev = W0[0];
    for (int i = 0; i < 4; i++) {
      deltas[i] = prev - w.get(i)[0];
      prev = w.get(i)[0];
    }
    assertThat(deltas[0]).isCloseTo(0.1 * C[0], within(1e-12));
    assertThat(deltas[1]).isCloseTo(0.1 * C[0], within(1e-12));
    assertThat(deltas[2]).isCloseTo(0.05 * C[0], within(1e-12));
    assertThat(deltas[3]).isCloseTo(0.05 * C[0], within(1e-12));
  }

  @Test
  void invalidHyperparametersAreRejectedWithTheirValues() {
    assertThatThrownBy(() -> new Sgd(0.1, 1.5)).hasMessageContaining("1.5");
    assertThatThrownBy(() -> new Sgd(-1)).hasMessageContaining("-1.0");
    assertThatThrownBy(() -> new Sgd(0.1).withNesterov(true)).hasMessageContaining("Nesterov");
    assertThatThrownBy(() -> LearningRateSchedule.cosine(0.1, 0, 0)).hasMessageContaining("0");
    assertThatThrownBy(() -> new Adam(0.1).withWeightDecay(-1)).hasMessageContaining("-1.0");
  }
}
