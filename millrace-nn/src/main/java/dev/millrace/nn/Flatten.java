package dev.millrace.nn;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.DataFormat;

/**
 * {@code [batch, ...] → [batch, features]}. An NCHW activation is first transposed to NHWC, as
 * Keras' Flatten does for {@code channels_first}, so that the dense weights after it mean the same
 * in both data formats (a model trained in one format gives the same answers in the other).
 */
public final class Flatten implements Layer {
  private final BuildContext ctx;
  private final String name;

  public Flatten(BuildContext ctx, String name) {
    this.ctx = ctx;
    this.name = name;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Ops tf = ctx.ops().withSubScope(name);
    Output<Float32> x = input;
    if (x.shape().rank() == 4 && ctx.format() == DataFormat.NCHW) {
      x = tf.transpose(x, DataFormat.NCHW.permutationTo(DataFormat.NHWC));
    }
    long features = 1;
    for (int i = 1; i < x.shape().rank(); i++) {
      long d = x.shape().dim(i);
      if (d < 0) {
        throw new IllegalArgumentException(name + ": cannot flatten unknown shape " + x.shape());
      }
      features *= d;
    }
    return tf.reshape(x, -1, features);
  }

  @Override
  public String name() {
    return name;
  }
}
