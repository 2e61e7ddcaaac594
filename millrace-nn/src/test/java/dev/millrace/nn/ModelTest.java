package dev.millrace.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.Variable;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelTest {
  private static ImageShape shapeFor(BuiltinModel m) {
    return m.designedFor().orElse(new ImageShape(28, 28, 1));
  }

  private static Tensor images(ImageShape s, int batch, DataFormat format) {
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[(int) (batch * s.pixels())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    Tensor nhwc = Tensor.ofFloats(s.batchShape(batch, DataFormat.NHWC), v);
    return nhwc.toFormat(DataFormat.NHWC, format);
  }

  private static float[] evalLogits(BuiltinModel kind, DataFormat format) {
    ImageShape s = shapeFor(kind);
    try (Model m = Model.builder(kind, s).format(format).seed(11).build();
        Session session = new Session(m.graph(), ThreadConfig.of(1, 1))) {
      session.initialize();
      try (Session.Result r =
          session.runner().feed(m.images(), images(s, 3, format)).fetch(m.evalLogits()).run()) {
        Tensor logits = r.get(0);
        assertThat(logits.shape()).isEqualTo(Shape.of(3, 10));
        float[] out = new float[30];
        for (int i = 0; i < 30; i++) {
          out[i] = logits.getFloat(i);
        }
        return out;
      }
    }
  }

  @ParameterizedTest
  @EnumSource(BuiltinModel.class)
  void everyModelGivesTheSameLogitsInBothDataFormatsFromTheSameSeed(BuiltinModel kind) {
    float[] nhwc = evalLogits(kind, DataFormat.NHWC);
    float[] nchw = evalLogits(kind, DataFormat.NCHW);
    for (int i = 0; i < nhwc.length; i++) {
      assertThat(nchw[i])
          .as("logit %d of %s", i, kind)
          .isCloseTo(nhwc[i], org.assertj.core.api.Assertions.within(1e-3f));
    }
    assertThat(nhwc[1]).as("logits differ between classes").isNotEqualTo(nhwc[0]);
  }

  @Test
  void theTutorialNetworkHasExactlyTheTutorialsVariables() {
    try (Model m = Model.builder(BuiltinModel.TF_TUTORIAL_CNN, new ImageShape(28, 28, 1)).build()) {
      var shapes =
          m.graph().trainableVariables().stream()
              .map(Variable::shape)
              .map(Shape::toString)
              .toList();
      assertThat(shapes)
          .containsExactly(
              "[5, 5, 1, 32]",
              "[32]",
              "[5, 5, 32, 64]",
              "[64]",
              "[3136, 1024]",
              "[1024]",
              "[1024, 10]",
              "[10]");
    }
  }

  @Test
  void resnet20HasTwentyWeightLayers() {
    try (Model m = Model.builder(BuiltinModel.RESNET20, new ImageShape(32, 32, 3)).build()) {
      long weighted =
          m.graph().trainableVariables().stream()
              .filter(v -> v.name().endsWith("kernel"))
              .filter(v -> !v.name().contains("shortcut"))
              .count();
      assertThat(weighted).isEqualTo(20);
      assertThat(
              m.graph().trainableVariables().stream()
                  .filter(v -> v.name().contains("shortcut/conv")))
          .hasSize(2);
    }
  }

  @Test
  void aModelBuiltForOneImageSizeRefusesAnother() {
    assertThatThrownBy(
            () -> Model.builder(BuiltinModel.RESNET20, new ImageShape(28, 28, 1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resnet20 is built for 32×32×3 images, the data has 28×28×1");
  }

  @Test
  void unknownModelNamesListTheKnownOnes() {
    assertThatThrownBy(() -> BuiltinModel.parse("vgg"))
        .hasMessage(
            "unknown model 'vgg' (expected one of linear, tf-tutorial-cnn, fashion-cnn, resnet20)");
  }
}
