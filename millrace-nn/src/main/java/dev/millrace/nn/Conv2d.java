package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.Initializers;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;
import dev.millrace.tensor.Shape;

/**
 * A 2-D convolution with HWIO filters {@code [k, k, in, filters]} (He-normal initialised, as for a
 * ReLU network), an optional bias and an optional ReLU. {@code Conv2D → BiasAdd → Relu} is the
 * chain the graph's fusion pass turns into one fused kernel. A convolution followed by batch norm
 * takes no bias (the norm's offset replaces it).
 */
public final class Conv2d implements Layer {
  private final BuildContext ctx;
  private final String name;
  private final int filters;
  private final int kernel;
  private final int stride;
  private final Padding padding;
  private final boolean bias;
  private final boolean relu;
  private Variable<Float32> w;
  private Variable<Float32> b;

  public Conv2d(
      BuildContext ctx,
      String name,
      int filters,
      int kernel,
      int stride,
      Padding padding,
      boolean bias,
      boolean relu) {
    if (filters < 1 || kernel < 1 || stride < 1) {
      throw new IllegalArgumentException(
          name + ": filters " + filters + ", kernel " + kernel + ", stride " + stride);
    }
    this.ctx = ctx;
    this.name = name;
    this.filters = filters;
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
    this.bias = bias;
    this.relu = relu;
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    Ops tf = ctx.ops().withSubScope(name);
    if (w == null) {
      long in = input.shape().dim(ctx.format().channelAxis());
      w =
          tf.withName("kernel")
              .variable(
                  FLOAT32,
                  Shape.of(kernel, kernel, in, filters),
                  Initializers.heNormal(ctx.nextSeed()));
      if (bias) {
        b = tf.withName("bias").variable(FLOAT32, Shape.of(filters), Initializers.zeros());
      }
    }
    Output<Float32> y = tf.nn.conv2d(input, w, stride, padding, ctx.format());
    if (bias) {
      y = tf.nn.biasAdd(y, b, ctx.format());
    }
    return relu ? tf.nn.relu(y) : y;
  }

  @Override
  public String name() {
    return name;
  }
}
