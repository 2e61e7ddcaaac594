package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.BatchNorm;
import dev.millrace.graph.Initializers;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.Shape;

/**
 * Batch normalization over the channel axis through the fused op (FusedBatchNormV3), with an
 * optional ReLU. Training normalises with the batch's statistics and moves the moving averages
 * towards them ({@code moving = momentum·moving + (1 − momentum)·batch}, Keras' rule, with the
 * batch's unbiased variance as TensorFlow's fused op reports it); evaluation normalises with the
 * moving averages. Keras' defaults: momentum 0.99, epsilon 1e-3.
 */
public final class BatchNormalization implements Layer {
  public static final double DEFAULT_MOMENTUM = 0.99;
  public static final double DEFAULT_EPSILON = 1e-3;

  private final BuildContext ctx;
  private final String name;
  private final boolean relu;
  private final double momentum;
  private final double epsilon;
  private Variable<Float32> gamma;
  private Variable<Float32> beta;
  private Variable<Float32> movingMean;
  private Variable<Float32> movingVariance;

  public BatchNormalization(BuildContext ctx, String name, boolean relu) {
    this(ctx, name, relu, DEFAULT_MOMENTUM, DEFAULT_EPSILON);
  }

  public BatchNormalization(
      BuildContext ctx, String name, boolean relu, double momentum, double epsilon) {
    if (!(momentum >= 0 && momentum < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          name + ": momentum " + momentum + " must be in [0, 1), epsilon " + epsilon + " > 0");
    }
    this.ctx = ctx;
    this.name = name;
    this.relu = relu;
    this.momentum = momentum;
    this.epsilon = epsilon;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Ops tf = ctx.ops().withSubScope(name);
    if (gamma == null) {
      Shape channels = Shape.of(input.shape().dim(channelAxis(input)));
      gamma = tf.withName("gamma").variable(FLOAT32, channels, Initializers.ones());
      beta = tf.withName("beta").variable(FLOAT32, channels, Initializers.zeros());
      movingMean =
          tf.withName("moving_mean").variable(FLOAT32, channels, Initializers.zeros(), false);
      movingVariance =
          tf.withName("moving_variance").variable(FLOAT32, channels, Initializers.ones(), false);
    }
    Output<Float32> y;
    if (mode == Mode.TRAIN) {
      BatchNorm<Float32> bn =
          tf.nn.fusedBatchNorm(input, gamma, beta, null, null, epsilon, ctx.format(), true);
      ctx.addTrainUpdate(movingAverage(tf, movingMean, bn.mean()).op());
      ctx.addTrainUpdate(movingAverage(tf, movingVariance, bn.variance()).op());
      y = bn.y();
    } else {
      y =
          tf.nn
              .fusedBatchNorm(
                  input, gamma, beta, movingMean, movingVariance, epsilon, ctx.format(), false)
              .y();
    }
    return relu ? tf.nn.relu(y) : y;
  }

  private int channelAxis(Output<Float32> input) {
    return input.shape().rank() == 4 ? ctx.format().channelAxis() : input.shape().rank() - 1;
  }

  private Output<Float32> movingAverage(
      Ops tf, Variable<Float32> moving, Output<Float32> batchValue) {
    Output<Float32> decayed = tf.mul(moving, tf.constant((float) momentum));
    Output<Float32> step = tf.mul(batchValue, tf.constant((float) (1 - momentum)));
    return tf.assign(moving, tf.add(decayed, step));
  }

  @Override
  public String name() {
    return name;
  }
}
