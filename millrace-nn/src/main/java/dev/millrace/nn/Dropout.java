package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.Shape;

/**
 * Inverted dropout: in training each activation is zeroed with probability {@code rate} and the
 * rest scaled by {@code 1 / (1 − rate)}; in evaluation it is the identity. The mask is a fed {@link
 * RandomMask} (see there why).
 */
public final class Dropout implements Layer {
  private final BuildContext ctx;
  private final String name;
  private final double rate;

  public Dropout(BuildContext ctx, String name, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(name + ": rate must be in [0, 1), got " + rate);
    }
    this.ctx = ctx;
    this.name = name;
    this.rate = rate;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    if (mode == Mode.EVAL || rate == 0) {
      return input;
    }
    Ops tf = ctx.ops().withSubScope(name);
    long[] dims = input.shape().dims();
    long[] element = java.util.Arrays.copyOfRange(dims, 1, dims.length);
    long[] fed = dims.clone();
    fed[0] = -1;
    Output<Float32> mask = tf.withName("mask").placeholder(FLOAT32, Shape.of(fed));
    ctx.addMask(new RandomMask(mask, Shape.of(element), 1 - rate));
    return tf.mul(input, mask);
  }

  @Override
  public String name() {
    return name;
  }
}
