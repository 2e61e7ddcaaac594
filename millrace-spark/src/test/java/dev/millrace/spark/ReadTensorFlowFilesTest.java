package dev.millrace.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.records.Compression;
import dev.millrace.records.Examples;
import dev.millrace.records.RecordReader;
import dev.millrace.records.RecordWriter;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.Int64List;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data source reads files that TensorFlow 2.18 wrote ({@code testdata/tensorflow/records}), and
 * what it gives matches the files' manifest and the documented contents.
 */
@Tag("slow")
class ReadTensorFlowFilesTest {
  private static SparkSession spark;
  private static JsonNode fashion;

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSpark.session();
    JsonNode manifest =
        new ObjectMapper().readTree(TestData.tensorflow("records/manifest.json").toFile());
    for (JsonNode f : manifest.get("files")) {
      if (f.get("file").asText().equals("fashion-train-500.tfrecord")) {
        fashion = f;
      }
    }
  }

  private static String golden(String name) {
    return TestData.tensorflow("records/" + name).toString();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "fashion-train-500.tfrecord",
        "fashion-train-500.tfrecord.gz",
        "fashion-train-500.tfrecord.zlib"
      })
  void readsFashionAsTensorFlowWroteIt(String file) {
    Dataset<Row> df = spark.read().format("tfrecord").load(golden(file));

    assertThat(df.schema())
        .isEqualTo(
            new StructType()
                .add("image", DataTypes.BinaryType, true)
                .add("label", DataTypes.LongType, true));
    List<Row> rows = df.collectAsList();
    assertThat(rows).hasSize(500);
    List<Long> labels = new ArrayList<>();
    long pixels = 0;
    for (Row r : rows) {
      byte[] image = r.getAs("image");
      assertThat(image).hasSize(784);
      for (byte b : image) {
        pixels += b & 0xff;
      }
      labels.add(r.getAs("label"));
    }
    List<Long> expected = new ArrayList<>();
    fashion.get("labels").forEach(n -> expected.add(n.asLong()));
    assertThat(labels).isEqualTo(expected);
    assertThat(pixels)
        .isEqualTo(fashion.get("verify_records_output").get("image_bytes_sum").asLong());
  }

  @Test
  void globsAndSeveralPathsReadEveryFileOnce() {
    String dir = TestData.tensorflow("records").toString();
    long viaGlob =
        spark.read().format("tfrecord").load(dir + "/fashion-train-500.tfrecord*").count();
    long viaPaths =
        spark
            .read()
            .format("tfrecord")
            .load(golden("fashion-train-500.tfrecord"), golden("fashion-train-500.tfrecord.gz"))
            .count();

    assertThat(viaGlob).isEqualTo(1500);
    assertThat(viaPaths).isEqualTo(1000);
  }

  @Test
  void aMissingPathFailsNamingIt() {
    String missing = TestData.tensorflow("records").resolve("no-such-file.tfrecord").toString();

    assertThatThrownBy(() -> spark.read().format("tfrecord").load(missing))
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(missing + ": no such file or folder"));
  }

  @Test
  void compressionOptionOverridesTheSuffix() throws IOException {
    Path copy = java.nio.file.Files.createTempFile("fashion", ".data");
    try {
      java.nio.file.Files.copy(
          Path.of(golden("fashion-train-500.tfrecord.zlib")),
          copy,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      long labels =
          spark
              .read()
              .format("tfrecord")
              .option("compression", "zlib")
              .load(copy.toString())
              .selectExpr("sum(label)")
              .first()
              .getLong(0);
      assertThat(labels).isEqualTo(2201);
    } finally {
      java.nio.file.Files.delete(copy);
    }
  }

  @Test
  void infersEveryFeatureKindAndReadsTheirValues() {
    Dataset<Row> df = spark.read().format("tfrecord").load(golden("feature-kinds.tfrecord"));

    assertThat(df.schema())
        .isEqualTo(
            new StructType()
                .add("floats", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                .add("größe_日本語", DataTypes.createArrayType(DataTypes.LongType, false), true)
                .add("ints", DataTypes.createArrayType(DataTypes.LongType, false), true)
                .add("strings", DataTypes.createArrayType(DataTypes.BinaryType, false), true)
                .add("unset_kind", DataTypes.createArrayType(DataTypes.BinaryType, false), true));
    List<Row> rows = df.collectAsList();
    assertThat(rows).hasSize(6);

    Row r0 = rows.get(0);
    List<Float> floats = r0.getList(0);
    int[] bits = floats.stream().mapToInt(Float::floatToRawIntBits).toArray();
    assertThat(bits)
        .containsExactly(
            Float.floatToRawIntBits(1.5f),
            Float.floatToRawIntBits(-2.25f),
            Float.floatToRawIntBits(0f),
            Float.floatToRawIntBits(-0f),
            Float.floatToRawIntBits(Float.NaN),
            Float.floatToRawIntBits(Float.POSITIVE_INFINITY),
            Float.floatToRawIntBits(Float.NEGATIVE_INFINITY),
            1,
            Float.floatToRawIntBits(3.4028235e38f),
            Float.floatToRawIntBits(0.1f));
    assertThat(r0.<Long>getList(2))
        .containsExactly(
            0L,
            1L,
            -1L,
            4294967296L,
            -4294967297L,
            9007199254740993L,
            Long.MAX_VALUE,
            Long.MIN_VALUE);
    List<byte[]> strings = r0.getList(3);
    assertThat(strings.get(0)).isEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(strings.get(1)).isEmpty();
    assertThat(strings.get(2)).isEqualTo(new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80});
    assertThat(new String(strings.get(3), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("Grüße, 日本");
    assertThat(r0.isNullAt(1)).isTrue();

    Row r2 = rows.get(2);
    assertThat(r2.getList(0)).isEmpty();
    assertThat(r2.getList(2)).isEmpty();
    assertThat(r2.getList(3)).isEmpty();
    assertThat(r2.getList(4)).isEmpty();
    assertThat(rows.get(3).<Long>getList(1)).containsExactly(7L, -7L);
    for (int i = 0; i < 5; i++) {
      assertThat(rows.get(4).isNullAt(i)).isTrue();
      assertThat(rows.get(5).isNullAt(i)).isTrue();
    }
  }

  @Test
  void readsSequenceExamplesWithTheirFeatureLists() {
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "SequenceExample")
            .load(golden("sequence.tfrecord"));

    StructType expected =
        new StructType()
            .add("id", DataTypes.LongType, true)
            .add("name", DataTypes.BinaryType, true)
            .add("weight", DataTypes.FloatType, true)
            .add("scores", nested(DataTypes.FloatType), true)
            .add("tokens", nested(DataTypes.LongType), true)
            .add("words", nested(DataTypes.BinaryType), true);
    assertThat(df.schema()).isEqualTo(expected);
    List<Row> rows = df.collectAsList();
    assertThat(rows).hasSize(3);
    assertThat(longLists(rows.get(0), "tokens"))
        .isEqualTo(List.of(List.of(1L, 2L, 3L), List.of(4L), List.of(5L, 6L)));
    assertThat(floatLists(rows.get(0), "scores"))
        .isEqualTo(List.of(List.of(0.5f), List.of(0.25f), List.of(-1.0f)));
    assertThat(wordLists(rows.get(0)))
        .isEqualTo(List.of(List.of("the", "cat"), List.of("sat"), List.of()));
    assertThat(longLists(rows.get(1), "tokens")).isEqualTo(List.of(List.of(7L, 8L, 9L, 10L)));
    assertThat(wordLists(rows.get(1))).isEqualTo(List.of(List.of("ok")));
    assertThat(longLists(rows.get(2), "tokens")).isEmpty();
    assertThat(rows.get(2).isNullAt(rows.get(2).fieldIndex("words"))).isTrue();
  }

  private static org.apache.spark.sql.types.DataType nested(org.apache.spark.sql.types.DataType t) {
    return DataTypes.createArrayType(DataTypes.createArrayType(t, false), false);
  }

  private static List<List<Long>> longLists(Row r, String column) {
    List<List<Long>> out = new ArrayList<>();
    for (Object step : r.getList(r.fieldIndex(column))) {
      out.add(scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Long>) step));
    }
    return out;
  }

  private static List<List<Float>> floatLists(Row r, String column) {
    List<List<Float>> out = new ArrayList<>();
    for (Object step : r.getList(r.fieldIndex(column))) {
      out.add(scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Float>) step));
    }
    return out;
  }

  private static List<List<String>> wordLists(Row r) {
    List<List<String>> out = new ArrayList<>();
    for (Object step : r.getList(r.fieldIndex("words"))) {
      List<String> words = new ArrayList<>();
      for (byte[] w :
          scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<byte[]>) step)) {
        words.add(new String(w, java.nio.charset.StandardCharsets.UTF_8));
      }
      out.add(words);
    }
    return out;
  }

  @Test
  void skippingMalformedSequenceExamplesAppliesToSchemaInferenceToo(@TempDir Path tmp)
      throws IOException {
    Path file = tmp.resolve("sequences.tfrecord");
    List<byte[]> records = new ArrayList<>();
    try (RecordReader r = RecordReader.open(Path.of(golden("sequence.tfrecord")))) {
      while (r.next()) {
        records.add(r.copyRecord());
      }
    }
    long badOffset;
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      w.write(records.get(0));
      badOffset = 16 + records.get(0).length;
      // Field 1 (context), length 5, but one byte follows: not a SequenceExample.
      w.write(new byte[] {0x0a, 0x05, 0x01});
      w.write(records.get(1));
    }

    Dataset<Row> skipping =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "SequenceExample")
            .option("corruptRecords", "skip")
            .load(file.toString());
    assertThat(skipping.collectAsList()).hasSize(2);
    assertThat(LocalSpark.scanMetric(skipping, "corruptRecords")).isEqualTo(1);

    assertThatThrownBy(
            () ->
                spark
                    .read()
                    .format("tfrecord")
                    .option("recordType", "SequenceExample")
                    .load(file.toString()))
        .hasMessageContaining(file + "@" + badOffset + ": not a tf.train.SequenceExample: ");
  }

  @Test
  void readsRawRecordsAsBytes() throws IOException {
    List<byte[]> expected = new ArrayList<>();
    try (RecordReader r = RecordReader.open(Path.of(golden("fashion-train-500.tfrecord")))) {
      while (r.next()) {
        expected.add(r.copyRecord());
      }
    }
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "ByteArray")
            .load(golden("fashion-train-500.tfrecord"));

    assertThat(df.columns()).containsExactly("byteArray");
    List<byte[]> seen = df.collectAsList().stream().map(r -> (byte[]) r.get(0)).toList();
    assertThat(seen).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(seen.get(i)).isEqualTo(expected.get(i));
    }
  }

  @Test
  void aGivenSchemaIsUsedWithoutInference() {
    List<Row> rows =
        spark
            .read()
            .format("tfrecord")
            .schema("label int, missing array<float>")
            .load(golden("fashion-train-500.tfrecord"))
            .collectAsList();

    assertThat(rows).hasSize(500);
    assertThat(rows.get(0).getInt(0)).isEqualTo(9);
    assertThat(rows.get(0).isNullAt(1)).isTrue();
  }

  @Test
  void aColumnOfTheWrongKindFailsWithFileAndOffset() {
    String file = golden("fashion-train-500.tfrecord");
    Dataset<Row> df = spark.read().format("tfrecord").schema("label float").load(file);

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@0: feature 'label' holds int64 values, but column 'label' is"
                            + " float"));
  }

  @Test
  void aListInAScalarColumnFailsNamingTheArrayType() {
    String file = golden("feature-kinds.tfrecord");
    Dataset<Row> df = spark.read().format("tfrecord").schema("ints bigint").load(file);

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@0: feature 'ints' has 8 values, but column 'ints' is bigint,"
                            + " which holds one (make it array<bigint>)"));
  }

  /** The header offset of each record of a file. */
  private static List<Long> recordOffsets(String file) throws IOException {
    List<Long> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(Path.of(file))) {
      while (r.next()) {
        out.add(r.recordOffset());
      }
    }
    return out;
  }

  @Test
  void aNonNullableColumnWhoseFeatureIsAbsentFailsWithFileAndOffset() {
    String file = golden("fashion-train-500.tfrecord");
    StructType present = new StructType().add("label", DataTypes.LongType, false);
    assertThat(spark.read().format("tfrecord").schema(present).load(file).collectAsList())
        .hasSize(500);
    for (org.apache.spark.sql.types.DataType type :
        List.of(DataTypes.LongType, DataTypes.createArrayType(DataTypes.LongType, false))) {
      StructType schema =
          new StructType().add("label", DataTypes.LongType, false).add("missing", type, false);
      Dataset<Row> df = spark.read().format("tfrecord").schema(schema).load(file);

      assertThatThrownBy(df::collectAsList)
          .as(type.simpleString())
          .satisfies(
              e ->
                  assertThat(LocalSpark.rootMessage(e))
                      .isEqualTo(
                          file
                              + "@0: feature 'missing' is absent, but column 'missing' ("
                              + type.simpleString()
                              + ") is not nullable"));
    }
  }

  @Test
  void aNonNullableScalarColumnWhoseFeatureHasNoValuesFailsWithFileAndOffset(@TempDir Path tmp)
      throws IOException {
    Path file = tmp.resolve("empty-list.tfrecord");
    long second;
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      byte[] first =
          Examples.serialize(
              Examples.of(Features.newBuilder().putFeature("id", Examples.int64(1))));
      w.write(first);
      second = 16 + first.length;
      w.write(
          Examples.serialize(
              Examples.of(
                  Features.newBuilder()
                      .putFeature(
                          "id",
                          Feature.newBuilder()
                              .setInt64List(Int64List.getDefaultInstance())
                              .build()))));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType, false);
    Dataset<Row> df = spark.read().format("tfrecord").schema(schema).load(file.toString());

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@"
                            + second
                            + ": feature 'id' has no values, but column 'id' (bigint) is not"
                            + " nullable"));
  }

  @Test
  void aNonNullableFeatureListColumnWhoseListIsAbsentFailsWithFileAndOffset() throws IOException {
    String file = golden("sequence.tfrecord");
    long offset = recordOffsets(file).get(2);
    StructType schema = new StructType().add("words", nested(DataTypes.BinaryType), false);
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "SequenceExample")
            .schema(schema)
            .load(file);

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@"
                            + offset
                            + ": feature 'words' is absent, but column 'words'"
                            + " (array<array<binary>>) is not nullable"));
  }

  @Test
  void aFeatureListReadAsAContextColumnFailsNamingTheNestedType() {
    String file = golden("sequence.tfrecord");
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "SequenceExample")
            .schema("tokens array<bigint>")
            .load(file);

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@0: feature 'tokens' is a feature list, but column 'tokens' is"
                            + " array<bigint>, which holds a context feature (make it"
                            + " array<array<bigint>>)"));
  }

  @Test
  void aContextFeatureReadAsAFeatureListColumnFailsNamingTheType() {
    String file = golden("sequence.tfrecord");
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "SequenceExample")
            .schema("id array<array<bigint>>")
            .load(file);

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(
                        file
                            + "@0: feature 'id' is a context feature, but column 'id' is"
                            + " array<array<bigint>>, which holds a feature list (make it bigint"
                            + " or array<bigint>)"));
  }

  @Test
  void anUnsupportedColumnTypeIsRefusedByName() {
    assertThatThrownBy(
            () ->
                spark
                    .read()
                    .format("tfrecord")
                    .schema("label date")
                    .load(golden("fashion-train-500.tfrecord"))
                    .collectAsList())
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .startsWith("column 'label' is date: a tf.train.Example feature maps to"));
  }
}
