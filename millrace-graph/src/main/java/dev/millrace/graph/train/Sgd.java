package dev.millrace.graph.train;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum (TensorFlow's ApplyMomentum: {@code accum =
 * momentum * accum + grad; var -= lr * accum}, or with Nesterov {@code var -= lr * (grad + momentum
 * * accum)}) and L2 weight decay (added to the gradient: {@code grad + weightDecay * var}, as in
 * classic SGD). The momentum accumulator is a slot variable {@code <name>/<var>/Momentum}.
 *
 * @param learningRate the schedule
 * @param momentum 0 for plain gradient descent
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 coefficient, 0 for none
 */
public record Sgd(
    LearningRateSchedule learningRate, double momentum, boolean nesterov, double weightDecay)
    implements Optimizer {
  public Sgd {
    if (momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("Nesterov needs a momentum > 0");
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
  }

  /** Plain gradient descent. */
  public Sgd(double learningRate) {
    this(LearningRateSchedule.constant(learningRate), 0, false, 0);
  }

  public Sgd(double learningRate, double momentum) {
    this(LearningRateSchedule.constant(learningRate), momentum, false, 0);
  }

  public Sgd withNesterov(boolean value) {
    return new Sgd(learningRate, momentum, value, weightDecay);
  }

  public Sgd withWeightDecay(double value) {
    return new Sgd(learningRate, momentum, nesterov, value);
  }

  public Sgd withSchedule(LearningRateSchedule schedule) {
    return new Sgd(schedule, momentum, nesterov, weightDecay);
  }

  @Override
  public String name() {
    return momentum > 0 ? "Momentum" : "GradientDescent";
  }

  @Override
  public Operation applyGradients(
      List<Output<?>> gradients, List<Variable<?>> variables, List<Operation> runAfter) {
    Updates u = new Updates(name(), learningRate, gradients, variables, runAfter);
    for (int i = 0; i < variables.size(); i++) {
      Variable<?> v = variables.get(i);
      Output<?> g = u.gradient(i);
      if (weightDecay > 0) {
        g = u.add(g, u.mul(u.scalar(v.dtype(), weightDecay), v.asOutput()));
      }
      Output<?> lr = u.learningRate(v.dtype());
      if (momentum == 0) {
        u.update("ApplyGradientDescent", List.of(v, lr, g), Map.of());
      } else {
        Variable<?> accum = u.slot(v, "Momentum");
        u.update(
            "ApplyMomentum",
            List.of(v, accum, lr, g, u.scalar(v.dtype(), momentum)),
            Map.of("use_nesterov", AttrValue.of(nesterov)));
      }
    }
    return u.finish();
  }
}
