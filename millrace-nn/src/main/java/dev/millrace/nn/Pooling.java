package dev.millrace.nn;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;

/** Max or average pooling over square windows in the model's data format. */
public final class Pooling implements Layer {
  /** Which reduction a window applies. */
  public enum Kind {
    MAX,
    AVERAGE
  }

  private final BuildContext ctx;
  private final String name;
  private final Kind kind;
  private final int window;
  private final int stride;
  private final Padding padding;

  public Pooling(
      BuildContext ctx, String name, Kind kind, int window, int stride, Padding padding) {
    if (window < 1 || stride < 1) {
      throw new IllegalArgumentException(name + ": window " + window + ", stride " + stride);
    }
    this.ctx = ctx;
    this.name = name;
    this.kind = kind;
    this.window = window;
    this.stride = stride;
    this.padding = padding;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Ops tf = ctx.ops().withSubScope(name);
    PoolSpec spec = PoolSpec.of(window, stride, padding, ctx.format());
    return kind == Kind.MAX ? tf.nn.maxPool(input, spec) : tf.nn.avgPool(input, spec);
  }

  @Override
  public String name() {
    return name;
  }
}
