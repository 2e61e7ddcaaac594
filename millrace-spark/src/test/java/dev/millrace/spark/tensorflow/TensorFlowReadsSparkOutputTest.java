package dev.millrace.spark.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import dev.millrace.convert.spi.ConversionEngine;
import dev.millrace.records.Compression;
import dev.millrace.spark.LocalSpark;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * TensorFlow 2.18 itself ({@code TFRecordDataset} and {@code ParseSingleExample}, through
 * TensorFlow Java) reads what Spark wrote: the shards of {@code convert --engine spark} and the
 * files of {@code df.write().format("tfrecord")}, and sees the source's images and labels.
 */
@Tag("slow")
@Tag("tensorflow")
class TensorFlowReadsSparkOutputTest {
  private static SparkSession spark;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.session();
  }

  /** What TensorFlow saw: records, the sum of labels, the sum of all pixel bytes (unsigned). */
  private record Sums(long records, long labels, long pixels) {}

  @Test
  void tensorFlowReadsTheShardsOfASparkConversion() throws IOException {
    Path input = tmp.resolve("idx");
    Random random = new Random(17);
    int count = 900;
    byte[] pixels = new byte[count * 28 * 28];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    long labelSum = 0;
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) random.nextInt(10);
      labelSum += labels[i];
    }
    gzip(
        input.resolve("train-images-idx3-ubyte.gz"), idx(0x803, new int[] {count, 28, 28}, pixels));
    gzip(input.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {count}, labels));
    Path out = tmp.resolve("out");
    ConversionEngine.named("spark")
        .orElseThrow()
        .convert(
            SourceFormat.IDX,
            input,
            out,
            ConvertOptions.defaults().withShardBytes(100_000).withCompression(Compression.GZIP),
            Map.of(),
            ProgressListener.none());
    List<Path> shards;
    try (Stream<Path> files = Files.list(out)) {
      shards = files.filter(p -> p.toString().endsWith(".tfrecord.gz")).sorted().toList();
    }
    assertThat(shards).hasSizeGreaterThan(5);

    Sums seen = readWithTensorFlow(shards, "GZIP", 28 * 28);

    long pixelSum = 0;
    for (byte b : pixels) {
      pixelSum += b & 0xff;
    }
    assertThat(seen).isEqualTo(new Sums(count, labelSum, pixelSum));
  }

  @Test
  void tensorFlowReadsWhatTheDataSourceWrote() throws IOException {
    Path out = tmp.resolve("written");
    spark
        .read()
        .format("tfrecord")
        .load(TestData.tensorflow("records/fashion-train-500.tfrecord").toString())
        .repartition(4)
        .write()
        .format("tfrecord")
        .option("compression", "zlib")
        .mode("overwrite")
        .save(out.toString());
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.filter(p -> p.toString().endsWith(".tfrecord.zlib")).sorted().toList();
    }
    assertThat(files).hasSize(4);

    Sums seen = readWithTensorFlow(files, "ZLIB", 784);

    // The golden file's manifest: verify_records_output.
    assertThat(seen).isEqualTo(new Sums(500, 2201, 28368245));
  }

  /**
   * TFRecordDataset → iterator → ParseSingleExample(image, label) → DecodeRaw, record by record.
   */
  private static Sums readWithTensorFlow(List<Path> files, String compression, int imageBytes) {
    try (Graph g = new Graph();
        Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      String[] names =
          files.stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new);
      Operation dataset =
          g.opBuilder("TFRecordDataset", "records", tf.scope())
              .addInput(
                  tf.constant(Shape.of(names.length), DataBuffers.ofObjects(names)).asOutput())
              .addInput(tf.constant(compression).asOutput())
              .addInput(tf.constant(256L * 1024).asOutput())
              .build();
      DataType[] types = {DataType.DT_STRING};
      Shape[] shapes = {Shape.scalar()};
      Operation iterator =
          g.opBuilder("IteratorV2", "it", tf.scope())
              .setAttr("shared_name", "it")
              .setAttr("container", "")
              .setAttr("output_types", types)
              .setAttr("output_shapes", shapes)
              .build();
      Operation init =
          g.opBuilder("MakeIterator", "init", tf.scope())
              .addInput(dataset.output(0))
              .addInput(iterator.output(0))
              .build();
      Operation next =
          g.opBuilder("IteratorGetNext", "next", tf.scope())
              .addInput(iterator.output(0))
              .setAttr("output_types", types)
              .setAttr("output_shapes", shapes)
              .build();
      Output<TString> record = next.output(0);
      Operation parse =
          g.opBuilder("ParseSingleExample", "parse", tf.scope())
              .addInput(record)
              .addInputList(
                  new Output<?>[] {
                    tf.constant(Shape.of(0), DataBuffers.ofObjects(new String[0])).asOutput(),
                    tf.constant(new long[0]).asOutput()
                  })
              .setAttr("num_sparse", 0)
              .setAttr("sparse_keys", new String[0])
              .setAttr("dense_keys", new String[] {"image", "label"})
              .setAttr("sparse_types", new DataType[0])
              .setAttr("Tdense", new DataType[] {DataType.DT_STRING, DataType.DT_INT64})
              .setAttr("dense_shapes", new Shape[] {Shape.scalar(), Shape.scalar()})
              .build();
      Output<TString> imageRaw = parse.output(0);
      Output<TInt64> label = parse.output(1);
      Output<TUint8> image = tf.io.decodeRaw(imageRaw, TUint8.class).asOutput();
      session.runner().addTarget(init).run();

      long records = 0;
      long labels = 0;
      long pixels = 0;
      byte[] buf = new byte[imageBytes];
      while (true) {
        try (Result r = session.runner().fetch(image).fetch(label).run()) {
          TUint8 img = (TUint8) r.get(0);
          assertThat(img.shape().size(0)).isEqualTo(imageBytes);
          img.asRawTensor().data().read(buf);
          for (byte b : buf) {
            pixels += b & 0xff;
          }
          labels += ((TInt64) r.get(1)).getLong();
          records++;
        } catch (TFOutOfRangeException end) {
          return new Sums(records, labels, pixels);
        }
      }
    }
  }

  private static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  private static void gzip(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes);
    }
  }
}
