package dev.millrace.kernels;

import dev.millrace.tensor.Tensor;
import java.util.Set;

/**
 * What {@link Kernels#fusedConv2d} applies to each output element of a convolution, per output
 * channel {@code c}: {@code activation(y * scale[c] + bias[c])}. {@code scale} and {@code bias} are
 * rank-1 tensors of the output channels and may be null (1 and 0); the activation is {@link
 * UnaryOp#IDENTITY}, {@link UnaryOp#RELU} or {@link UnaryOp#RELU6}.
 */
public record ConvEpilogue(Tensor scale, Tensor bias, UnaryOp activation) {
  private static final Set<UnaryOp> ACTIVATIONS =
      Set.of(UnaryOp.IDENTITY, UnaryOp.RELU, UnaryOp.RELU6);

  public ConvEpilogue {
    if (activation == null) {
      activation = UnaryOp.IDENTITY;
    }
    if (!ACTIVATIONS.contains(activation)) {
      throw new IllegalArgumentException(
          "a convolution epilogue fuses IDENTITY, RELU or RELU6, got " + activation);
    }
    for (Tensor t : new Tensor[] {scale, bias}) {
      if (t != null && t.shape().rank() != 1) {
        throw new IllegalArgumentException(
            "epilogue scale and bias must be rank 1 (one value per output channel), got shape "
                + t.shape());
      }
    }
  }

  /** The activations an epilogue applies: what a fusion pass may move into a convolution. */
  public static Set<UnaryOp> activations() {
    return ACTIVATIONS;
  }

  /** {@code activation(y + bias)}: Conv2D + BiasAdd (+ Relu). */
  public static ConvEpilogue bias(Tensor bias, UnaryOp activation) {
    return new ConvEpilogue(null, bias, activation);
  }
}
