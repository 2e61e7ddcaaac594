package dev.millrace.nn;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;

/** The mean over height and width: {@code [batch, channels]} in either data format. */
public final class GlobalAveragePooling implements Layer {
  private final BuildContext ctx;
  private final String name;

  public GlobalAveragePooling(BuildContext ctx, String name) {
    this.ctx = ctx;
    this.name = name;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Ops tf = ctx.ops().withSubScope(name);
    return tf.mean(input, ctx.format().heightAxis(), ctx.format().widthAxis());
  }

  @Override
  public String name() {
    return name;
  }
}
