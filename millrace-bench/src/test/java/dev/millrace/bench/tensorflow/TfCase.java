package dev.millrace.bench.tensorflow;

import dev.millrace.graphdef.GraphImporter;
import dev.millrace.kernels.Kernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One small graph built with TensorFlow Java and run there, and run in Millrace from the GraphDef
 * TensorFlow writes for it (its defaults and conventions included). Values travel as Millrace
 * tensors (FLOAT32, INT32, INT64) both ways.
 */
final class TfCase implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  private final Map<String, Tensor> feeds = new LinkedHashMap<>();

  /** A Const named {@code name} holding {@code value}. */
  Output<?> constant(String name, Tensor value) {
    org.tensorflow.ndarray.Shape s = org.tensorflow.ndarray.Shape.of(value.shape().dims());
    Ops named = tf.withName(name);
    return switch (value.dtype()) {
      case FLOAT32 ->
          named.constant(s, DataBuffers.of(value.toFloatArray(), true, false)).asOutput();
      case INT32 -> named.constant(s, DataBuffers.of(value.toIntArray(), true, false)).asOutput();
      case INT64 -> named.constant(s, DataBuffers.of(value.toLongArray(), true, false)).asOutput();
      default -> throw new IllegalArgumentException("no " + value.dtype() + " constants here");
    };
  }

  /**
   * A Placeholder named {@code name} that both runs feed with {@code value}; its shape attribute is
   * the value's shape if {@code knownShape}, else unknown.
   */
  Output<?> placeholder(String name, Tensor value, boolean knownShape) {
    OperationBuilder b =
        tf.scope().opBuilder("Placeholder", name).setAttr("dtype", dataType(value.dtype()));
    if (knownShape) {
      b.setAttr("shape", org.tensorflow.ndarray.Shape.of(value.shape().dims()));
    }
    feeds.put(name, value);
    return b.build().output(0);
  }

  /** An operation of {@code type} with {@code inputs} (an {@code Output[]} is a list input). */
  Operation op(String type, String name, Consumer<OperationBuilder> attrs, Object... inputs) {
    OperationBuilder b = tf.scope().opBuilder(type, name);
    for (Object in : inputs) {
      if (in instanceof Output<?>[] list) {
        b.addInputList(list);
      } else {
        b.addInput((Output<?>) in);
      }
    }
    attrs.accept(b);
    return b.build();
  }

  Operation op(String type, String name, Object... inputs) {
    return op(type, name, b -> {}, inputs);
  }

  /** TensorFlow's values of {@code fetches} (tensor names, {@code op} or {@code op:1}). */
  List<Tensor> runTensorFlow(String... fetches) {
    List<org.tensorflow.Tensor> fed = new ArrayList<>();
    try (Session session = TfSessions.open(graph, 1)) {
      Session.Runner r = session.runner();
      for (Map.Entry<String, Tensor> f : feeds.entrySet()) {
        org.tensorflow.Tensor t = toTensorFlow(f.getValue());
        fed.add(t);
        r.feed(f.getKey(), t);
      }
      for (String name : fetches) {
        int colon = name.indexOf(':');
        if (colon < 0) {
          r.fetch(name);
        } else {
          r.fetch(name.substring(0, colon), Integer.parseInt(name.substring(colon + 1)));
        }
      }
      try (Result result = r.run()) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < fetches.length; i++) {
          out.add(fromTensorFlow(result.get(i)));
        }
        return out;
      }
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  /** The GraphDef TensorFlow writes for the graph, read with Millrace's own protobuf classes. */
  dev.millrace.graphdef.proto.GraphDef graphDef() throws Exception {
    return dev.millrace.graphdef.proto.GraphDef.parseFrom(graph.toGraphDef().toByteArray());
  }

  /** Millrace's values of {@code fetches}, from TensorFlow's GraphDef, with the given kernels. */
  List<Tensor> runMillrace(Kernels kernels, String... fetches) throws Exception {
    try (dev.millrace.graph.Graph g =
            GraphImporter.withBuiltins().importGraph(graphDef(), "tensorflow.pb");
        dev.millrace.graph.Session s =
            kernels == null
                ? new dev.millrace.graph.Session(g)
                : new dev.millrace.graph.Session(
                    g, dev.millrace.graph.ThreadConfig.of(1, 1), kernels)) {
      dev.millrace.graph.Session.Runner r = s.runner();
      feeds.forEach((name, value) -> r.feed(name + ":0", value));
      for (String name : fetches) {
        r.fetch(name.contains(":") ? name : name + ":0");
      }
      try (dev.millrace.graph.Session.Result result = r.run()) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : result) {
          out.add(t.copy());
        }
        return out;
      }
    }
  }

  List<Tensor> runMillrace(String... fetches) throws Exception {
    return runMillrace(null, fetches);
  }

  static DataType dataType(DType t) {
    return DataType.forNumber(t.tensorflowNumber());
  }

  private static org.tensorflow.Tensor toTensorFlow(Tensor t) {
    org.tensorflow.ndarray.Shape s = org.tensorflow.ndarray.Shape.of(t.shape().dims());
    return switch (t.dtype()) {
      case FLOAT32 -> TFloat32.tensorOf(s, DataBuffers.of(t.toFloatArray(), true, false));
      case INT32 -> TInt32.tensorOf(s, DataBuffers.of(t.toIntArray(), true, false));
      case INT64 -> TInt64.tensorOf(s, DataBuffers.of(t.toLongArray(), true, false));
      default -> throw new IllegalArgumentException("no " + t.dtype() + " feeds here");
    };
  }

  private static Tensor fromTensorFlow(org.tensorflow.Tensor t) {
    Shape s = Shape.of(t.shape().asArray());
    int n = (int) s.size();
    return switch (t.dataType()) {
      case DT_FLOAT -> {
        float[] v = new float[n];
        t.asRawTensor().data().asFloats().read(v);
        yield Tensor.ofFloats(s, v);
      }
      case DT_INT32 -> {
        int[] v = new int[n];
        t.asRawTensor().data().asInts().read(v);
        yield Tensor.ofInts(s, v);
      }
      case DT_INT64 -> {
        long[] v = new long[n];
        t.asRawTensor().data().asLongs().read(v);
        yield Tensor.ofLongs(s, v);
      }
      default -> throw new IllegalArgumentException("no " + t.dataType() + " results here");
    };
  }

  @Override
  public void close() {
    graph.close();
  }
}
