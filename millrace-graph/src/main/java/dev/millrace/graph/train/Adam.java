package dev.millrace.graph.train;

import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import java.util.List;
import java.util.Map;

/**
 * Adam, as TensorFlow's ApplyAdam ({@code lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}, {@code t}
 * counting from 1), with optional decoupled weight decay (AdamW: {@code var -= lr * weightDecay *
 * var} before each Adam step). Moments are slot variables {@code <name>/<var>/m} and {@code
 * <name>/<var>/v}.
 *
 * @param learningRate the schedule
 * @param beta1 decay of the first moment
 * @param beta2 decay of the second moment
 * @param epsilon added to the root of the second moment (Keras's default 1e-7)
 * @param weightDecay decoupled weight decay coefficient, 0 for none
 */
public record Adam(
    LearningRateSchedule learningRate,
    double beta1,
    double beta2,
    double epsilon,
    double weightDecay)
    implements Optimizer {
  public Adam {
    if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
      throw new IllegalArgumentException(
          "beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
  }

  public Adam(double learningRate) {
    this(LearningRateSchedule.constant(learningRate), 0.9, 0.999, 1e-7, 0);
  }

  public Adam withWeightDecay(double value) {
    return new Adam(learningRate, beta1, beta2, epsilon, value);
  }

  public Adam withSchedule(LearningRateSchedule schedule) {
    return new Adam(schedule, beta1, beta2, epsilon, weightDecay);
  }

  @Override
  public String name() {
    return "Adam";
  }

  @Override
  public Operation applyGradients(
      List<Output<?>> gradients, List<Variable<?>> variables, List<Operation> runAfter) {
    Updates u = new Updates(name(), learningRate, gradients, variables, runAfter);
    for (int i = 0; i < variables.size(); i++) {
      Variable<?> v = variables.get(i);
      Output<?> lr = u.learningRate(v.dtype());
      Operation decay = null;
      if (weightDecay > 0) {
        Output<?> rate = u.mul(lr, u.scalar(v.dtype(), weightDecay));
        decay = u.apply("ApplyGradientDescent", List.of(v, rate, v.asOutput()), Map.of(), null);
      }
      Variable<?> m = u.slot(v, "m");
      Variable<?> s = u.slot(v, "v");
      u.update(
          "ApplyAdam",
          List.of(
              v,
              m,
              s,
              u.power(beta1, v.dtype()),
              u.power(beta2, v.dtype()),
              lr,
              u.scalar(v.dtype(), beta1),
              u.scalar(v.dtype(), beta2),
              u.scalar(v.dtype(), epsilon),
              u.gradient(i)),
          Map.of(),
          decay);
    }
    return u.finish();
  }
}
