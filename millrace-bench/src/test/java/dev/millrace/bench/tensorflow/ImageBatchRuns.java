package dev.millrace.bench.tensorflow;

import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.tensor.Shape;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * One GraphDef run on a batch of NHWC images fed to {@code input}, in Millrace and in TensorFlow,
 * the float tensor {@code fetch} read back: what the graph comparison tests do over and over.
 */
final class ImageBatchRuns {
  private ImageBatchRuns() {}

  static float[] millrace(GraphDef g, String fetch, long[] shape, float[] pixels) throws Exception {
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "compared");
        var session = new dev.millrace.graph.Session(graph);
        var result =
            session
                .runner()
                .feed("input:0", dev.millrace.tensor.Tensor.ofFloats(Shape.of(shape), pixels))
                .fetch(fetch + ":0")
                .run()) {
      return result.get(0).toFloatArray();
    }
  }

  static float[] tensorFlow(GraphDef g, String fetch, long[] shape, float[] pixels)
      throws Exception {
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(shape), DataBuffers.of(pixels, true, false));
          Result result = session.runner().feed("input", in).fetch(fetch).run()) {
        TFloat32 out = (TFloat32) result.get(0);
        float[] v = new float[(int) out.size()];
        out.asRawTensor().data().asFloats().read(v);
        return v;
      }
    }
  }
}
