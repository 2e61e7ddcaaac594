package dev.millrace.bench.tensorflow;

import dev.millrace.records.Compression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Reads image Examples with TensorFlow alone — {@code TFRecordDataset}, {@code ParseSingleExample}
 * and {@code DecodeRaw} or {@code DecodeImage} (PNG and JPEG) — and reports, record by record, the
 * label and the decoded image, so a test can compare what TensorFlow sees with what was written.
 */
final class TfImageExamples {
  private TfImageExamples() {}

  /** How the image feature holds its pixels. */
  enum Pixels {
    /** Raw uint8 bytes ({@code DecodeRaw}): the CIFAR and IDX converters. */
    RAW,
    /** A PNG or JPEG file ({@code DecodeImage}): the image-folder converter. */
    ENCODED
  }

  /**
   * One record as TensorFlow decoded it.
   *
   * @param label the int64 label
   * @param shape the decoded image's shape ({@code [bytes]} for raw, {@code [h, w, c]} decoded)
   * @param pixelSum the sum of the decoded pixels, as unsigned bytes
   */
  record Decoded(long label, List<Long> shape, long pixelSum) {
    Decoded {
      shape = List.copyOf(shape);
    }
  }

  /** Every record of {@code files}, in file order. */
  static List<Decoded> read(
      List<Path> files, Compression compression, String imageKey, String labelKey, Pixels pixels) {
    try (Graph graph = new Graph();
        ConcreteFunction parse = parseRecord(imageKey, labelKey, pixels);
        Session session = TfSessions.open(graph, 1)) {
      TfData data = new TfData(graph);
      TfData.Dataset records = data.tfRecords(files, compression, TfData.DEFAULT_READ_BUFFER_BYTES);
      Shape imageShape = pixels == Pixels.RAW ? Shape.of(-1) : Shape.of(-1, -1, -1);
      TfData.Dataset parsed =
          data.parallelMap(
              records,
              parse,
              List.of(DataType.DT_UINT8, DataType.DT_INT64),
              List.of(imageShape, Shape.scalar()),
              1);
      TfData.Iterator it = data.iterator(parsed, "image_check");
      session.runner().addTarget(it.initializer()).run();
      return drain(session, it);
    }
  }

  private static List<Decoded> drain(Session session, TfData.Iterator it) {
    List<Decoded> out = new ArrayList<>();
    while (true) {
      try (Result r = session.runner().fetch(it.component(0)).fetch(it.component(1)).run()) {
        TUint8 image = (TUint8) r.get(0);
        TInt64 label = (TInt64) r.get(1);
        byte[] bytes = new byte[Math.toIntExact(image.asRawTensor().data().size())];
        image.asRawTensor().data().read(bytes);
        long sum = 0;
        for (byte b : bytes) {
          sum += b & 0xff;
        }
        List<Long> shape = new ArrayList<>();
        for (long d : image.shape().asArray()) {
          shape.add(d);
        }
        out.add(new Decoded(label.getObject(), shape, sum));
      } catch (TFOutOfRangeException endOfData) {
        return out;
      }
    }
  }

  private static ConcreteFunction parseRecord(String imageKey, String labelKey, Pixels pixels) {
    return ConcreteFunction.create(
        tf -> {
          Placeholder<TString> record =
              tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
          Operation parse =
              tf.scope()
                  .opBuilder("ParseSingleExample", "parse")
                  .addInput(record.asOutput())
                  .addInputList(
                      new Output<?>[] {
                        tf.constant(Shape.of(0), DataBuffers.ofObjects(new String[0])).asOutput(),
                        tf.constant(new long[0]).asOutput()
                      })
                  .setAttr("num_sparse", 0)
                  .setAttr("sparse_keys", new String[0])
                  .setAttr("dense_keys", new String[] {imageKey, labelKey})
                  .setAttr("sparse_types", new DataType[0])
                  .setAttr("Tdense", new DataType[] {DataType.DT_STRING, DataType.DT_INT64})
                  .setAttr("dense_shapes", new Shape[] {Shape.scalar(), Shape.scalar()})
                  .build();
          Output<TString> bytes = parse.output(0);
          Output<TInt64> label = parse.output(1);
          return Signature.builder()
              .input("record", record)
              .output("image", decode(tf, bytes, pixels))
              .output("label", label)
              .build();
        });
  }

  private static Operand<?> decode(Ops tf, Output<TString> bytes, Pixels pixels) {
    if (pixels == Pixels.RAW) {
      return tf.io.decodeRaw(bytes, TUint8.class);
    }
    // channels = 0 keeps the file's own channel count, as the converter's image/channels says.
    return tf.scope()
        .opBuilder("DecodeImage", "decode")
        .addInput(bytes)
        .setAttr("channels", 0L)
        .setAttr("dtype", DataType.DT_UINT8)
        .setAttr("expand_animations", false)
        .build()
        .output(0);
  }
}
