package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graphdef.GraphExporter;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.ImageShape;
import dev.millrace.nn.InferenceGraph;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow loads the frozen GraphDef that {@code millrace export} writes for each built-in model
 * and computes the same logits and probabilities as Millrace (within 1e-4), from TensorFlow's own
 * protobuf classes and kernels.
 */
@Tag("tensorflow")
class TensorFlowRunsMillraceExportsTest {
  @ParameterizedTest
  @EnumSource(BuiltinModel.class)
  void tensorFlowRunsTheExportedInferenceGraph(BuiltinModel model) throws Exception {
    ImageShape shape = model.designedFor().orElse(new ImageShape(28, 28, 1));
    int batch = 3;
    float[] pixels = new float[(int) (batch * shape.pixels())];
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    byte[] pb;
    float[][] millrace = new float[2][];
    try (InferenceGraph g = InferenceGraph.initialized(model, shape, 10, DataFormat.NHWC, 3)) {
      pb =
          GraphExporter.export(g.graph(), g.session(), List.of("logits", "probabilities"))
              .toByteArray();
      var input =
          dev.millrace.tensor.Tensor.ofFloats(shape.batchShape(batch, DataFormat.NHWC), pixels);
      try (var result =
          g.session()
              .runner()
              .feed("input:0", input)
              .fetch("logits:0")
              .fetch("probabilities:0")
              .run()) {
        millrace[0] = result.get(0).toFloatArray();
        millrace[1] = result.get(1).toFloatArray();
      }
    }
    Shape s = Shape.of(batch, shape.height(), shape.width(), shape.channels());
    try (Graph graph = new Graph()) {
      graph.importGraphDef(GraphDef.parseFrom(pb));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(s.dims()), DataBuffers.of(pixels, true, false));
          Result result =
              session.runner().feed("input", in).fetch("logits").fetch("probabilities").run()) {
        for (int k = 0; k < 2; k++) {
          TFloat32 out = (TFloat32) result.get(k);
          float[] tf = new float[millrace[k].length];
          out.asRawTensor().data().asFloats().read(tf);
          for (int i = 0; i < tf.length; i++) {
            assertThat(Math.abs(tf[i] - millrace[k][i]))
                .as("%s output %d element %d", model.cliName(), k, i)
                .isLessThanOrEqualTo(1e-4f);
          }
        }
      }
    }
  }

  /**
   * The TensorFlow ResNet after Millrace's {@code quantize_weights}: TensorFlow loads the rewritten
   * graph (quint8 Consts, MIN_FIRST Dequantize) and computes what Millrace computes from it.
   */
  @org.junit.jupiter.api.Test
  void tensorFlowRunsTheQuantizedGraphAsMillraceDoes() throws Exception {
    var graphFile = dev.millrace.testkit.TestData.tensorflow("graphs/resnet-cifar.pb");
    var quantized =
        dev.millrace.graphdef.transforms.GraphTransforms.apply(
            dev.millrace.graphdef.GraphDefFile.read(graphFile),
            List.of("input"),
            List.of("probabilities"),
            dev.millrace.graphdef.TransformSpec.parseAll("quantize_weights"),
            dev.millrace.graph.OpRegistry.withBuiltins(),
            m -> {});
    int batch = 4;
    float[] pixels = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    float[] millrace;
    try (var g =
            dev.millrace.graphdef.GraphImporter.withBuiltins().importGraph(quantized, "quantized");
        var session = new dev.millrace.graph.Session(g);
        var result =
            session
                .runner()
                .feed(
                    "input:0",
                    dev.millrace.tensor.Tensor.ofFloats(Shape.of(batch, 32, 32, 3), pixels))
                .fetch("logits:0")
                .run()) {
      millrace = result.get(0).toFloatArray();
    }
    try (Graph graph = new Graph()) {
      graph.importGraphDef(GraphDef.parseFrom(quantized.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(batch, 32, 32, 3),
                  DataBuffers.of(pixels, true, false));
          Result result = session.runner().feed("input", in).fetch("logits").run()) {
        float[] tf = new float[millrace.length];
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(tf);
        for (int i = 0; i < tf.length; i++) {
          assertThat(Math.abs(tf[i] - millrace[i]))
              .as("logit %d: tf %f millrace %f", i, tf[i], millrace[i])
              .isLessThanOrEqualTo(1e-4f);
        }
      }
    }
  }
}
