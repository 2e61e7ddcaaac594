package dev.millrace.nn;

import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import java.util.List;

/** Layers applied one after the other. */
public final class Sequential implements Layer {
  private final String name;
  private final List<Layer> layers;

  public Sequential(String name, List<? extends Layer> layers) {
    this.name = name;
    this.layers = List.copyOf(layers);
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Output<Float32> x = input;
    for (Layer layer : layers) {
      x = layer.apply(x, mode);
    }
    return x;
  }

  public List<Layer> layers() {
    return layers;
  }

  @Override
  public String name() {
    return name;
  }
}
