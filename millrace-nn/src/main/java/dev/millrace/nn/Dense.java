package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.Initializers;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.Shape;

/**
 * A fully connected layer {@code x·W + b} on {@code [batch, features]} inputs, Glorot-uniform
 * initialised (Keras' default), with an optional ReLU ({@code MatMul → BiasAdd → Relu}).
 */
public final class Dense implements Layer {
  private final BuildContext ctx;
  private final String name;
  private final int units;
  private final boolean relu;
  private Variable<Float32> w;
  private Variable<Float32> b;

  public Dense(BuildContext ctx, String name, int units, boolean relu) {
    if (units < 1) {
      throw new IllegalArgumentException(name + ": units must be >= 1, got " + units);
    }
    this.ctx = ctx;
    this.name = name;
    this.units = units;
    this.relu = relu;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    if (input.shape().rank() != 2) {
      throw new IllegalArgumentException(
          name + ": Dense needs [batch, features] input, got " + input.shape() + " (Flatten it)");
    }
    Ops tf = ctx.ops().withSubScope(name);
    if (w == null) {
      long in = input.shape().dim(1);
      w =
          tf.withName("kernel")
              .variable(FLOAT32, Shape.of(in, units), Initializers.glorotUniform(ctx.nextSeed()));
      b = tf.withName("bias").variable(FLOAT32, Shape.of(units), Initializers.zeros());
    }
    Output<Float32> y = tf.nn.biasAdd(tf.matmul(input, w), b);
    return relu ? tf.nn.relu(y) : y;
  }

  @Override
  public String name() {
    return name;
  }
}
