package dev.millrace.graph.train;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float64;
import dev.millrace.graph.types.Int64;
import dev.millrace.graph.types.Types;

/**
 * A learning rate as a function of the optimizer's step count (0 for the first update), computed
 * inside the graph from the step variable so that a training step needs no feed. {@link
 * #valueAt(long)} gives the same numbers in Java.
 */
public sealed interface LearningRateSchedule {

  /** The learning rate for update number {@code step}. */
  double valueAt(long step);

  /** Adds operations computing the rate (float64 scalar) from {@code step} (int64 scalar). */
  Output<Float64> build(Ops tf, Output<Int64> step);

  static LearningRateSchedule constant(double value) {
    return new Constant(value);
  }

  /** {@code initial * factor^floor(step / stepSize)}: multiply by {@code factor} every so often. */
  static LearningRateSchedule step(double initial, double factor, long stepSize) {
    return new StepDecay(initial, factor, stepSize);
  }

  /**
   * TensorFlow's CosineDecay: {@code initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step,
   * decaySteps) / decaySteps)) + alpha)}.
   */
  static LearningRateSchedule cosine(double initial, long decaySteps, double alpha) {
    return new CosineDecay(initial, decaySteps, alpha);
  }

  /** A fixed rate. */
  record Constant(double value) implements LearningRateSchedule {
    public Constant {
      requirePositive("learning rate", value);
    }

    @Override
    public double valueAt(long step) {
      return value;
    }

    @Override
    public Output<Float64> build(Ops tf, Output<Int64> step) {
      return tf.constant(value);
    }
  }

  /** Step decay; see {@link LearningRateSchedule#step}. */
  record StepDecay(double initial, double factor, long stepSize) implements LearningRateSchedule {
    public StepDecay {
      requirePositive("initial learning rate", initial);
      requirePositive("decay factor", factor);
      if (stepSize < 1) {
        throw new IllegalArgumentException("step size must be >= 1, got " + stepSize);
      }
    }

    @Override
    public double valueAt(long step) {
      return initial * Math.pow(factor, Math.floor((double) step / stepSize));
    }

    @Override
    public Output<Float64> build(Ops tf, Output<Int64> step) {
      Output<Float64> s = tf.cast(step, Types.FLOAT64);
      Output<Float64> e = tf.floor(tf.div(s, tf.constant((double) stepSize)));
      return tf.mul(tf.constant(initial), tf.pow(tf.constant(factor), e));
    }
  }

  /** Cosine decay; see {@link LearningRateSchedule#cosine}. */
  record CosineDecay(double initial, long decaySteps, double alpha)
      implements LearningRateSchedule {
    public CosineDecay {
      requirePositive("initial learning rate", initial);
      if (decaySteps < 1) {
        throw new IllegalArgumentException("decay steps must be >= 1, got " + decaySteps);
      }
      if (alpha < 0 || alpha > 1) {
        throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
      }
    }

    @Override
    public double valueAt(long step) {
      double s = Math.min(step, decaySteps);
      double cosine = 0.5 * (1 + Math.cos(Math.PI * s / decaySteps));
      return initial * ((1 - alpha) * cosine + alpha);
    }

    @Override
    public Output<Float64> build(Ops tf, Output<Int64> step) {
      Output<Float64> s =
          tf.minimum(tf.cast(step, Types.FLOAT64), tf.constant((double) decaySteps));
      Output<Float64> cosine =
          tf.mul(
              tf.constant(0.5),
              tf.add(tf.constant(1.0), tf.cos(tf.mul(s, tf.constant(Math.PI / decaySteps)))));
      return tf.mul(
          tf.constant(initial), tf.add(tf.mul(tf.constant(1 - alpha), cosine), tf.constant(alpha)));
    }
  }

  private static void requirePositive(String what, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be positive and finite, got " + v);
    }
  }
}
