package dev.millrace.bench.tensorflow;

import dev.millrace.records.Compression;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;

/**
 * tf.data pipelines built op by op, by name, in a graph.
 *
 * <p>Why by name: TensorFlow Java 1.1.0's generated {@code TfRecordDataset} wrapper cannot be
 * iterated, and an anonymous iterator's handle cannot be fetched, so the ops are built here with
 * the inputs and attributes of TensorFlow 2.18's op definitions, and iteration goes through a named
 * iterator ({@code IteratorV2} + {@code MakeIterator} + {@code IteratorGetNext}).
 *
 * <p>No autotuning root or optimization op is added here: on CPU, TensorFlow's {@code MakeIterator}
 * finalizes the dataset itself (iterator_ops.cc, {@code GetFinalizedDataset}) with the default
 * options — the default static rewrites and the autotuning model — as it does for a Python user.
 */
final class TfData {
  /** {@code tf.data.AUTOTUNE}: let the runtime choose a parallelism or buffer size. */
  static final long AUTOTUNE = -1;

  /** Python's default {@code TFRecordDataset} read buffer. */
  static final long DEFAULT_READ_BUFFER_BYTES = 256 * 1024;

  private final Graph graph;
  private final Ops tf;

  TfData(Graph graph) {
    this.graph = graph;
    this.tf = Ops.create(graph);
  }

  /**
   * A dataset variant tensor and the element structure every downstream op must be told.
   *
   * @param handle the op's variant output
   * @param types the element's component types
   * @param shapes the element's component shapes ({@code -1} for unknown sizes)
   */
  record Dataset(Output<?> handle, List<DataType> types, List<Shape> shapes) {
    Dataset {
      types = List.copyOf(types);
      shapes = List.copyOf(shapes);
      if (types.size() != shapes.size()) {
        throw new IllegalArgumentException(
            "types: " + types.size() + ", shapes: " + shapes.size() + " (expected equal counts)");
      }
    }

    DataType[] typeArray() {
      return types.toArray(DataType[]::new);
    }

    Shape[] shapeArray() {
      return shapes.toArray(Shape[]::new);
    }
  }

  /**
   * A named iterator over a dataset.
   *
   * @param initializer run it (as a target) to start, or restart, the iteration
   * @param next {@code IteratorGetNext}: fetch its outputs to pull one element; at the end the run
   *     throws {@code TFOutOfRangeException}
   */
  record Iterator(Operation initializer, Operation next) {
    Output<?> component(int i) {
      return next.output(i);
    }
  }

  /** {@code TFRecordDataset} (the 3-input op) over {@code files}, one after the other. */
  Dataset tfRecords(List<Path> files, Compression compression, long bufferBytes) {
    String[] names = files.stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new);
    Operation op =
        builder("TFRecordDataset", "records")
            .addInput(tf.constant(Shape.of(names.length), DataBuffers.ofObjects(names)).asOutput())
            .addInput(tf.constant(compressionType(compression)).asOutput())
            .addInput(tf.constant(bufferBytes).asOutput())
            .build();
    return new Dataset(op.output(0), List.of(DataType.DT_STRING), List.of(Shape.scalar()));
  }

  /** TensorFlow's {@code compression_type} string for a Millrace compression. */
  static String compressionType(Compression compression) {
    return switch (compression) {
      case NONE -> "";
      case GZIP -> "GZIP";
      case ZLIB -> "ZLIB";
    };
  }

  /** {@code BatchDatasetV2}: stacks {@code size} elements; the last batch may be smaller. */
  Dataset batch(Dataset in, long size) {
    Shape[] shapes = in.shapes().stream().map(s -> s.prepend(-1)).toArray(Shape[]::new);
    Operation op =
        builder("BatchDatasetV2", "batch")
            .addInput(in.handle())
            .addInput(tf.constant(size).asOutput())
            .addInput(tf.constant(false).asOutput())
            .setAttr("output_types", in.typeArray())
            .setAttr("output_shapes", shapes)
            .build();
    return new Dataset(op.output(0), in.types(), Arrays.asList(shapes));
  }

  /**
   * {@code ParallelMapDatasetV2} with order preserved: applies {@code fn} to each element on up to
   * {@code parallelism} elements at once ({@link #AUTOTUNE} allowed).
   */
  Dataset parallelMap(
      Dataset in, ConcreteFunction fn, List<DataType> types, List<Shape> shapes, long parallelism) {
    Dataset out = new Dataset(in.handle(), types, shapes);
    Operation op =
        builder("ParallelMapDatasetV2", "map")
            .addInput(in.handle())
            .addInputList(new Output<?>[0])
            .addInput(tf.constant(parallelism).asOutput())
            .setAttr("f", fn)
            .setAttr("Targuments", new DataType[0])
            .setAttr("output_types", out.typeArray())
            .setAttr("output_shapes", out.shapeArray())
            .setAttr("deterministic", "true")
            .build();
    return new Dataset(op.output(0), types, shapes);
  }

  /** {@code PrefetchDataset}: a buffer of {@code elements} ({@link #AUTOTUNE} allowed). */
  Dataset prefetch(Dataset in, long elements) {
    Operation op =
        builder("PrefetchDataset", "prefetch")
            .addInput(in.handle())
            .addInput(tf.constant(elements).asOutput())
            .setAttr("output_types", in.typeArray())
            .setAttr("output_shapes", in.shapeArray())
            .build();
    return new Dataset(op.output(0), in.types(), in.shapes());
  }

  /** A named iterator ({@code shared_name} = {@code name}) with its initializer and next op. */
  Iterator iterator(Dataset in, String name) {
    Operation iterator =
        builder("IteratorV2", name)
            .setAttr("shared_name", name)
            .setAttr("container", "")
            .setAttr("output_types", in.typeArray())
            .setAttr("output_shapes", in.shapeArray())
            .build();
    Operation make =
        builder("MakeIterator", name + "_init")
            .addInput(in.handle())
            .addInput(iterator.output(0))
            .build();
    Operation next =
        builder("IteratorGetNext", name + "_next")
            .addInput(iterator.output(0))
            .setAttr("output_types", in.typeArray())
            .setAttr("output_shapes", in.shapeArray())
            .build();
    return new Iterator(make, next);
  }

  private OperationBuilder builder(String type, String name) {
    return graph.opBuilder(type, tf.scope().makeUnique(name), tf.scope());
  }
}
