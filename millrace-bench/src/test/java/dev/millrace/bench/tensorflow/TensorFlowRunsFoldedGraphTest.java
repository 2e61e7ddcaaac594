package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow runs the ResNet as Millrace's {@code transform-graph} folds it for inference (batch
 * norms folded into the convolutions) and gives the logits and probabilities it gave for the
 * original graph, recorded beside it, within 1e-4.
 */
@Tag("tensorflow")
class TensorFlowRunsFoldedGraphTest {
  @Test
  void tensorFlowRunsTheFoldedResNetWithTheOriginalsOutputs() throws Exception {
    GraphDef folded =
        GraphTransforms.apply(
            GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb")),
            List.of("input"),
            List.of("logits", "probabilities"),
            TransformSpec.parseAll(
                "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                    + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms"),
            OpRegistry.withBuiltins(),
            m -> {});
    assertThat(GraphSummary.of(folded).opCounts())
        .doesNotContainKeys(
            "FusedBatchNorm", "FusedBatchNormV3", "BatchNormWithGlobalNormalization");
    float[] input = floats("resnet-input-b8.f32");
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(folded.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(8, 32, 32, 3),
                  DataBuffers.of(input, true, false));
          Result result =
              session.runner().feed("input", in).fetch("logits").fetch("probabilities").run()) {
        String[] expected = {"resnet-logits-b8.f32", "resnet-output-b8.f32"};
        for (int k = 0; k < 2; k++) {
          float[] want = floats(expected[k]);
          float[] got = new float[want.length];
          ((TFloat32) result.get(k)).asRawTensor().data().asFloats().read(got);
          for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(got[i] - want[i]))
                .as("%s element %d", expected[k], i)
                .isLessThanOrEqualTo(1e-4f);
          }
        }
      }
    }
  }

  private static float[] floats(String name) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(TestData.tensorflow("graphs/" + name)))
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }
}
