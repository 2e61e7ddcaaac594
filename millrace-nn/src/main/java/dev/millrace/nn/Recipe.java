package dev.millrace.nn;

import dev.millrace.graph.train.Adam;
import dev.millrace.graph.train.LearningRateSchedule;
import dev.millrace.graph.train.Optimizer;
import dev.millrace.graph.train.Sgd;

/**
 * How a model is trained by default, and what the command line may override: optimizer, learning
 * rate, batch size, weight decay, and whether the rate follows a cosine decay to zero over the
 * whole run (it helps short runs end at a better accuracy).
 */
public record Recipe(
    OptimizerKind optimizer,
    double learningRate,
    int batch,
    double weightDecay,
    boolean cosineDecay) {
  /** Momentum of {@link OptimizerKind#MOMENTUM}, TensorFlow's tutorial value. */
  public static final double MOMENTUM = 0.9;

  public Recipe {
    if (!(learningRate > 0) || batch < 1 || weightDecay < 0) {
      throw new IllegalArgumentException(
          "learning rate "
              + learningRate
              + " must be > 0, batch "
              + batch
              + " >= 1, weight decay "
              + weightDecay
              + " >= 0");
    }
  }

  public Recipe withOptimizer(OptimizerKind value) {
    return new Recipe(value, learningRate, batch, weightDecay, cosineDecay);
  }

  public Recipe withLearningRate(double value) {
    return new Recipe(optimizer, value, batch, weightDecay, cosineDecay);
  }

  public Recipe withBatch(int value) {
    return new Recipe(optimizer, learningRate, value, weightDecay, cosineDecay);
  }

  public Recipe withWeightDecay(double value) {
    return new Recipe(optimizer, learningRate, batch, value, cosineDecay);
  }

  public Recipe withCosineDecay(boolean value) {
    return new Recipe(optimizer, learningRate, batch, weightDecay, value);
  }

  /** The optimizer for a run of {@code totalSteps} updates. */
  public Optimizer build(long totalSteps) {
    LearningRateSchedule rate =
        cosineDecay && totalSteps > 0
            ? LearningRateSchedule.cosine(learningRate, totalSteps, 0)
            : LearningRateSchedule.constant(learningRate);
    return switch (optimizer) {
      case SGD -> new Sgd(learningRate).withSchedule(rate).withWeightDecay(weightDecay);
      case MOMENTUM ->
          new Sgd(learningRate, MOMENTUM).withSchedule(rate).withWeightDecay(weightDecay);
      case ADAM -> new Adam(learningRate).withSchedule(rate).withWeightDecay(weightDecay);
    };
  }

  @Override
  public String toString() {
    return optimizer.cliName()
        + " lr "
        + learningRate
        + (cosineDecay ? " (cosine decay)" : "")
        + ", batch "
        + batch
        + (weightDecay > 0 ? ", weight decay " + weightDecay : "");
  }
}
