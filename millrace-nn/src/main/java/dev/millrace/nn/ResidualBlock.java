package dev.millrace.nn;

import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;

/**
 * ResNet's basic block (He et al. 2016, the CIFAR variant): {@code conv3×3(stride) → BN → ReLU →
 * conv3×3 → BN}, added to the shortcut, then ReLU. The shortcut is the input itself, or a strided
 * 1×1 convolution + BN where the block changes the size or the channel count (option B of the
 * paper).
 */
public final class ResidualBlock implements Layer {
  private final BuildContext ctx;
  private final String name;
  private final int filters;
  private final int stride;
  private final Layer main;
  private Layer projection;
  private boolean shapeChecked;

  public ResidualBlock(BuildContext ctx, String name, int filters, int stride) {
    this.ctx = ctx;
    this.name = name;
    this.filters = filters;
    this.stride = stride;
    this.main =
        new Sequential(
            name,
            java.util.List.of(
                new Conv2d(ctx, name + "/conv1", filters, 3, stride, Padding.SAME, false, false),
                new BatchNormalization(ctx, name + "/bn1", true),
                new Conv2d(ctx, name + "/conv2", filters, 3, 1, Padding.SAME, false, false),
                new BatchNormalization(ctx, name + "/bn2", false)));
  }

  @Override
  public Output<Float32> apply(Output<Float32> input, Mode mode) {
    if (!shapeChecked) {
      long in = input.shape().dim(ctx.format().channelAxis());
      if (stride != 1 || in != filters) {
        projection =
            new Sequential(
                name + "/shortcut",
                java.util.List.of(
                    new Conv2d(
                        ctx,
                        name + "/shortcut/conv",
                        filters,
                        1,
                        stride,
                        Padding.SAME,
                        false,
                        false),
                    new BatchNormalization(ctx, name + "/shortcut/bn", false)));
      }
      shapeChecked = true;
    }
    Output<Float32> shortcut = projection == null ? input : projection.apply(input, mode);
    Output<Float32> residual = main.apply(input, mode);
    Ops tf = ctx.ops().withSubScope(name);
    return tf.nn.relu(tf.add(residual, shortcut));
  }

  @Override
  public String name() {
    return name;
  }
}
