package dev.millrace.graph.internal.ops;

import dev.millrace.graph.OpRegistry;

/** Registers every built-in op type. */
public final class BuiltinOps {
  private BuiltinOps() {}

  public static void registerAll(OpRegistry r) {
    Sources.register(r);
    Reshapes.register(r);
    Slicing.register(r);
    StridedSlices.register(r);
    Fills.register(r);
    BinaryMath.register(r);
    UnaryMath.register(r);
    Reductions.register(r);
    MatMul.register(r);
    Convolutions.register(r);
    Pooling.register(r);
    Bias.register(r);
    Activations.register(r);
    Softmax.register(r);
    BatchNorms.register(r);
    Variables.register(r);
    Optimizers.register(r);
    RandomOps.register(r);
    Quantization.register(r);
    FakeQuantization.register(r);
    QuantizedLinear.register(r);
    QuantizedLayers.register(r);
    QuantizedLayout.register(r);
  }
}
