package dev.millrace.nn;

import dev.millrace.kernels.Padding;
import dev.millrace.nn.Pooling.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The models {@code millrace train --model} knows, each buildable in NHWC and NCHW. A model that
 * was designed for one image size names it, and training it on other data is an error.
 */
public enum BuiltinModel {
  /**
   * Softmax regression on the flattened pixels: the performance guide's "model in its simplest
   * form". If a job's step rate does not rise when its model is replaced by this one, the input
   * pipeline is the bottleneck.
   */
  LINEAR("linear", null, new Recipe(OptimizerKind.SGD, 0.1, 100, 0, false)) {
    @Override
    Layer network(BuildContext c, int classes) {
      return new Sequential(
          "linear", List.of(new Flatten(c, "flatten"), new Dense(c, "logits", classes, false)));
    }
  },
  /**
   * TensorFlow's tutorial network, exactly: conv5×5-32 SAME + ReLU, max pool 2, conv5×5-64 SAME +
   * ReLU, max pool 2, dense 1024 + ReLU, dense 10; momentum SGD (0.01, 0.9), batch 100. The rate
   * starts at the tutorial's 0.01 and follows a cosine decay to zero over the run: the tutorial's
   * constant rate ({@code --lr-schedule constant}) ends 0.3–0.4 points lower after 7 epochs, with
   * the test accuracy falling from epoch 6 as the network over-fits.
   */
  TF_TUTORIAL_CNN(
      "tf-tutorial-cnn",
      new ImageShape(28, 28, 1),
      new Recipe(OptimizerKind.MOMENTUM, 0.01, 100, 0, true)) {
    @Override
    Layer network(BuildContext c, int classes) {
      return new Sequential(
          "tf-tutorial-cnn",
          List.of(
              new Conv2d(c, "conv1", 32, 5, 1, Padding.SAME, true, true),
              new Pooling(c, "pool1", Kind.MAX, 2, 2, Padding.SAME),
              new Conv2d(c, "conv2", 64, 5, 1, Padding.SAME, true, true),
              new Pooling(c, "pool2", Kind.MAX, 2, 2, Padding.SAME),
              new Flatten(c, "flatten"),
              new Dense(c, "dense1", 1024, true),
              new Dense(c, "logits", classes, false)));
    }
  },
  /**
   * A compact conv + batch-norm network for 28×28×1 images: three conv3×3 + BN + ReLU stages of 32,
   * 64 and 128 filters, each halving the image with a max pool, then dense 256 + ReLU, dropout 0.3
   * and the logits. About half the multiply-adds of the tutorial network.
   */
  FASHION_CNN(
      "fashion-cnn",
      new ImageShape(28, 28, 1),
      new Recipe(OptimizerKind.MOMENTUM, 0.05, 128, 5e-4, true)) {
    @Override
    Layer network(BuildContext c, int classes) {
      List<Layer> layers = new ArrayList<>();
      int[] filters = {32, 64, 128};
      for (int i = 0; i < filters.length; i++) {
        String s = "block" + (i + 1);
        layers.add(new Conv2d(c, s + "/conv", filters[i], 3, 1, Padding.SAME, false, false));
        layers.add(new BatchNormalization(c, s + "/bn", true));
        layers.add(new Pooling(c, s + "/pool", Kind.MAX, 2, 2, Padding.VALID));
      }
      layers.add(new Flatten(c, "flatten"));
      layers.add(new Dense(c, "dense1", 256, true));
      layers.add(new Dropout(c, "dropout", 0.3));
      layers.add(new Dense(c, "logits", classes, false));
      return new Sequential("fashion-cnn", layers);
    }
  },
  /**
   * The CIFAR ResNet-20 of He et al. (2016): conv3×3-16 + BN + ReLU, three stages of three basic
   * blocks (16, 32, 64 filters; stride 2 at the start of the last two), global average pooling,
   * dense 10. Momentum SGD 0.1 with weight decay 1e-4, batch 128.
   */
  RESNET20(
      "resnet20",
      new ImageShape(32, 32, 3),
      new Recipe(OptimizerKind.MOMENTUM, 0.1, 128, 1e-4, true)) {
    @Override
    Layer network(BuildContext c, int classes) {
      List<Layer> layers = new ArrayList<>();
      layers.add(new Conv2d(c, "stem/conv", 16, 3, 1, Padding.SAME, false, false));
      layers.add(new BatchNormalization(c, "stem/bn", true));
      int[] filters = {16, 32, 64};
      for (int stage = 0; stage < 3; stage++) {
        for (int block = 0; block < 3; block++) {
          int stride = stage > 0 && block == 0 ? 2 : 1;
          String name = "stage" + (stage + 1) + "/block" + (block + 1);
          layers.add(new ResidualBlock(c, name, filters[stage], stride));
        }
      }
      layers.add(new GlobalAveragePooling(c, "pool"));
      layers.add(new Dense(c, "logits", classes, false));
      return new Sequential("resnet20", layers);
    }
  };

  private final String cliName;
  private final ImageShape designedFor;
  private final Recipe recipe;

  BuiltinModel(String cliName, ImageShape designedFor, Recipe recipe) {
    this.cliName = cliName;
    this.designedFor = designedFor;
    this.recipe = recipe;
  }

  /** The layers of the network for {@code classes} classes, added to {@code c}'s graph. */
  abstract Layer network(BuildContext c, int classes);

  public String cliName() {
    return cliName;
  }

  /** The image size the model was designed for, or empty for any size. */
  public Optional<ImageShape> designedFor() {
    return Optional.ofNullable(designedFor);
  }

  /** The default training recipe. */
  public Recipe recipe() {
    return recipe;
  }

  /** The model named {@code name} on the command line, or an error listing the names. */
  public static BuiltinModel parse(String name) {
    for (BuiltinModel m : values()) {
      if (m.cliName.equals(name.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown model '" + name + "' (expected one of " + names() + ")");
  }

  /** {@code linear, tf-tutorial-cnn, ...} */
  public static String names() {
    List<String> n = new ArrayList<>();
    for (BuiltinModel m : values()) {
      n.add(m.cliName);
    }
    return String.join(", ", n);
  }
}
