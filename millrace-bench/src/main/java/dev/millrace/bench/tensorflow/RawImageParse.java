package dev.millrace.bench.tensorflow;

import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The map functions that turn serialized Examples of a {@link RecordSet} ({@code image}: raw uint8
 * bytes of a fixed {@code [h, w, c]}, {@code label}: int64) into tensors, as a tf.data user writes
 * them in Python: {@code decode_raw}, then a reshape to the image shape (which costs TensorFlow no
 * copy), and for training input a cast to float and ×1/255.
 */
final class RawImageParse {
  private static final String[] KEYS = {"image", "label"};

  private final RecordSet records;

  RawImageParse(RecordSet records) {
    this.records = records;
  }

  /** What the parsed image becomes. */
  enum Pixels {
    /** {@code DecodeRaw} to uint8 only (for checking values). */
    UINT8,
    /** {@code DecodeRaw}, then cast to float32 and scaled by 1/255 (the training input). */
    FLOAT_SCALED;

    DataType dataType() {
      return this == UINT8 ? DataType.DT_UINT8 : DataType.DT_FLOAT;
    }
  }

  /** Element types after either function: image, label. */
  static List<DataType> types(Pixels pixels) {
    return List.of(pixels.dataType(), DataType.DT_INT64);
  }

  /** Element shapes after a batch was parsed: [n, h, w, c] and [n]. */
  List<Shape> batchShapes() {
    return List.of(
        Shape.of(-1, records.height(), records.width(), records.channels()), Shape.of(-1));
  }

  /** Element shapes after one record was parsed: [h, w, c] and []. */
  List<Shape> recordShapes() {
    return List.of(Shape.of(records.height(), records.width(), records.channels()), Shape.scalar());
  }

  /** Batch-first: {@code ParseExampleV2} over a vector of serialized Examples. */
  ConcreteFunction parseBatch(Pixels pixels) {
    return ConcreteFunction.create(
        tf -> {
          Placeholder<TString> serialized =
              tf.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
          Operation parse =
              tf.scope()
                  .opBuilder("ParseExampleV2", "parse")
                  .addInput(serialized.asOutput())
                  .addInput(emptyStrings(tf))
                  .addInput(emptyStrings(tf))
                  .addInput(strings(tf, KEYS))
                  .addInput(emptyStrings(tf))
                  .addInputList(denseDefaults(tf))
                  .setAttr("Tdense", new DataType[] {DataType.DT_STRING, DataType.DT_INT64})
                  .setAttr("num_sparse", 0)
                  .setAttr("sparse_types", new DataType[0])
                  .setAttr("ragged_value_types", new DataType[0])
                  .setAttr("ragged_split_types", new DataType[0])
                  .setAttr("dense_shapes", new Shape[] {Shape.scalar(), Shape.scalar()})
                  .build();
          return signature(tf, serialized, parse, pixels, batchShapes().get(0));
        });
  }

  /** Per-record: {@code ParseSingleExample} on one serialized Example. */
  ConcreteFunction parseRecord(Pixels pixels) {
    return ConcreteFunction.create(
        tf -> {
          Placeholder<TString> record =
              tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
          Operation parse =
              tf.scope()
                  .opBuilder("ParseSingleExample", "parse")
                  .addInput(record.asOutput())
                  .addInputList(denseDefaults(tf))
                  .setAttr("num_sparse", 0)
                  .setAttr("sparse_keys", new String[0])
                  .setAttr("dense_keys", KEYS)
                  .setAttr("sparse_types", new DataType[0])
                  .setAttr("Tdense", new DataType[] {DataType.DT_STRING, DataType.DT_INT64})
                  .setAttr("dense_shapes", new Shape[] {Shape.scalar(), Shape.scalar()})
                  .build();
          return signature(tf, record, parse, pixels, recordShapes().get(0));
        });
  }

  // With no sparse or ragged features, the dense values are the op's first two outputs.
  private static Signature signature(
      Ops tf, Placeholder<TString> input, Operation parse, Pixels pixels, Shape imageShape) {
    Output<TString> imageBytes = parse.output(0);
    Output<TInt64> label = parse.output(1);
    Operand<TUint8> image =
        tf.reshape(tf.io.decodeRaw(imageBytes, TUint8.class), tf.constant(imageShape.asArray()));
    Operand<?> out =
        switch (pixels) {
          case UINT8 -> image;
          case FLOAT_SCALED ->
              tf.math.mul(tf.dtypes.cast(image, TFloat32.class), tf.constant(1f / 255f));
        };
    return Signature.builder()
        .input("records", input)
        .output("image", out)
        .output("label", label)
        .build();
  }

  // A required feature (no default) is given as an empty tensor of its type, as Python does.
  private static Output<?>[] denseDefaults(Ops tf) {
    return new Output<?>[] {strings(tf), tf.constant(new long[0]).asOutput()};
  }

  private static Output<TString> emptyStrings(Ops tf) {
    return strings(tf);
  }

  private static Output<TString> strings(Ops tf, String... values) {
    return tf.constant(Shape.of(values.length), DataBuffers.ofObjects(values)).asOutput();
  }
}
