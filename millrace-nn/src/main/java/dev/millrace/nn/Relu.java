package dev.millrace.nn;

import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;

/** A ReLU on its own (layers that can end in one take a flag instead). */
public final class Relu implements Layer {
  private final BuildContext ctx;
  private final String name;

  public Relu(BuildContext ctx, String name) {
    this.ctx = ctx;
    this.name = name;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    return ctx.ops().withSubScope(name).nn.relu(input);
  }

  @Override
  public String name() {
    return name;
  }
}
