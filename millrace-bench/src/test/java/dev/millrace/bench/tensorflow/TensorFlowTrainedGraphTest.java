package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * A graph trained and frozen by TensorFlow (the tutorial CNN, a few momentum steps in TensorFlow
 * Java) runs in Millrace with TensorFlow's logits, in both data formats; so does its eight-bit
 * version ({@code quantize_weights quantize_nodes}), run by TensorFlow's quantized kernels and by
 * Millrace's.
 */
@Tag("tensorflow")
class TensorFlowTrainedGraphTest {
  private static final int N = 32;

  @Test
  void millraceRunsATensorFlowTrainedGraphWithTensorFlowsLogits() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    float[] pixels = new float[4 * N * 28 * 28];
    int[] classes = new int[4 * N];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < classes.length; i++) {
      classes[i] = random.nextInt(10);
    }
    byte[] frozen;
    try (TfTutorialCnn net = new TfTutorialCnn(1, 3)) {
      for (int step = 0; step < 6; step++) {
        TFloat32[] b = TfTutorialCnn.batch(pixels, classes, (step % 3) * N, N);
        net.step(b[0], b[1], 0.01f);
        b[0].close();
        b[1].close();
      }
      frozen = net.freeze().toByteArray();
    }
    float[] expected = tensorFlowLogits(frozen, pixels, classes);
    float[] images = new float[N * 28 * 28];
    System.arraycopy(pixels, 3 * N * 28 * 28, images, 0, images.length);
    Tensor input = Tensor.ofFloats(Shape.of(N, 28, 28, 1), images);
    GraphDef graph = GraphDefFile.parse(frozen, "TensorFlow's tutorial CNN");
    float scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (String steps : List.of("", "set_data_format(data_format=NCHW)")) {
      float[] got = logits(transform(graph, steps), input);
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(got[i] - expected[i]))
            .as("%s logit %d", steps, i)
            .isLessThanOrEqualTo(1e-5f * Math.max(1, scale));
      }
    }
    // The eight-bit graph: TensorFlow's quantized kernels and Millrace's give the same logits.
    GraphDef eight = transform(graph, "quantize_weights quantize_nodes");
    float[] tensorFlows = tensorFlowLogits(eight.toByteArray(), pixels, classes);
    float[] millraces = logits(eight, input);
    for (int i = 0; i < tensorFlows.length; i++) {
      assertThat(Math.abs(millraces[i] - tensorFlows[i]))
          .as("eight-bit logit %d", i)
          .isLessThanOrEqualTo(1e-5f * Math.max(1, scale));
    }
  }

  /** TensorFlow's logits for the last batch of {@code pixels}. */
  private static float[] tensorFlowLogits(byte[] graph, float[] pixels, int[] classes)
      throws Exception {
    float[] logits = new float[N * 10];
    try (Graph g = new Graph()) {
      g.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(graph));
      TFloat32[] b = TfTutorialCnn.batch(pixels, classes, 3 * N, N);
      try (org.tensorflow.Session s = TfSessions.open(g, 1);
          Result r = s.runner().feed("input", b[0]).fetch("logits").run()) {
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(logits);
      }
      b[0].close();
      b[1].close();
    }
    return logits;
  }

  private static GraphDef transform(GraphDef g, String steps) {
    if (steps.isEmpty()) {
      return g;
    }
    return GraphTransforms.apply(
        g,
        List.of("input"),
        List.of("logits"),
        TransformSpec.parseAll(steps),
        OpRegistry.withBuiltins(),
        m -> {});
  }

  private static float[] logits(GraphDef g, Tensor input) throws Exception {
    try (dev.millrace.graph.Graph graph = GraphImporter.withBuiltins().importGraph(g, "frozen");
        Session s = new Session(graph);
        Session.Result r = s.runner().feed("input:0", input).fetch("logits:0").run()) {
      return r.get(0).toFloatArray();
    }
  }
}
