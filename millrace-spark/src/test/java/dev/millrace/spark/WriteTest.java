package dev.millrace.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.Compression;
import dev.millrace.records.RecordReader;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code df.write().format("tfrecord")} writes what TensorFlow writes (byte for byte, for the same
 * Examples) and what Millrace's reader reads, under final names only when the job commits.
 */
@Tag("slow")
class WriteTest {
  private static SparkSession spark;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.session();
  }

  private static Path golden(String name) {
    return TestData.tensorflow("records/" + name);
  }

  private static List<byte[]> records(Path file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(file)) {
      while (r.next()) {
        out.add(r.copyRecord());
      }
    }
    return out;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void rewritingTensorFlowsFileGivesItsBytes() throws IOException {
    Path out = tmp.resolve("out");
    spark
        .read()
        .format("tfrecord")
        .load(golden("fashion-train-500.tfrecord").toString())
        .coalesce(1)
        .write()
        .format("tfrecord")
        .mode("overwrite")
        .save(out.toString());

    assertThat(names(out)).containsExactly("part-00000-of-00001.tfrecord");
    assertThat(Files.readAllBytes(out.resolve("part-00000-of-00001.tfrecord")))
        .isEqualTo(Files.readAllBytes(golden("fashion-train-500.tfrecord")));
  }

  @Test
  void rewritingSequenceExamplesAndRawRecordsGivesTheirBytes() throws IOException {
    for (String type : List.of("SequenceExample", "ByteArray")) {
      Path out = tmp.resolve(type);
      spark
          .read()
          .format("tfrecord")
          .option("recordType", type)
          .load(golden("sequence.tfrecord").toString())
          .coalesce(1)
          .write()
          .format("tfrecord")
          .option("recordType", type)
          .mode("overwrite")
          .save(out.toString());

      assertThat(Files.readAllBytes(out.resolve("part-00000-of-00001.tfrecord")))
          .as(type)
          .isEqualTo(Files.readAllBytes(golden("sequence.tfrecord")));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"GZIP", "ZLIB"})
  void compressedFilesDecompressToTheRecords(Compression compression) throws IOException {
    Path out = tmp.resolve("out");
    spark
        .read()
        .format("tfrecord")
        .load(golden("fashion-train-500.tfrecord").toString())
        .repartition(3)
        .write()
        .format("tfrecord")
        .option("compression", compression.name().toLowerCase(java.util.Locale.ROOT))
        .mode("overwrite")
        .save(out.toString());

    List<String> files = names(out);
    assertThat(files)
        .containsExactly(
            "part-00000-of-00003.tfrecord" + compression.suffix(),
            "part-00001-of-00003.tfrecord" + compression.suffix(),
            "part-00002-of-00003.tfrecord" + compression.suffix());
    List<byte[]> written = new ArrayList<>();
    for (String f : files) {
      written.addAll(records(out.resolve(f)));
    }
    List<byte[]> expected = records(golden("fashion-train-500.tfrecord"));
    assertThat(written).hasSameSizeAs(expected);
    assertThat(written.stream().map(Arrays::hashCode).sorted().toList())
        .isEqualTo(expected.stream().map(Arrays::hashCode).sorted().toList());
  }

  private static final StructType ALL_TYPES =
      StructType.fromDDL(
          "id bigint, small int, ratio float, wide double, blob binary, text string,"
              + " ids array<bigint>, scores array<float>, tags array<string>, smalls array<int>");

  private static List<Row> allTypes() {
    return List.of(
        RowFactory.create(
            1L,
            7,
            0.5f,
            0.25,
            new byte[] {1, 2},
            "ünïcode",
            arr(1L, -2L, Long.MAX_VALUE),
            arr(1.5f, Float.NaN),
            arr("a", ""),
            arr(3, -4)),
        RowFactory.create(2L, null, null, null, null, null, arr(), arr(), arr(), arr()),
        RowFactory.create(3L, -1, -0f, 1024.5, new byte[0], "", null, null, null, null));
  }

  @SafeVarargs
  private static <T> scala.collection.immutable.Seq<T> arr(T... values) {
    return scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(values)).toList();
  }

  @Test
  void everyColumnTypeRoundTripsThroughExamples() throws IOException {
    Path out = tmp.resolve("out");
    spark
        .createDataFrame(allTypes(), ALL_TYPES)
        .coalesce(1)
        .write()
        .format("tfrecord")
        .mode("overwrite")
        .save(out.toString());

    List<Row> back =
        spark.read().format("tfrecord").schema(ALL_TYPES).load(out.toString()).collectAsList();
    assertThat(back.stream().map(WriteTest::values).toList())
        .isEqualTo(allTypes().stream().map(WriteTest::values).toList());

    // What TensorFlow would parse: int types as int64 lists, strings as bytes, nulls left out.
    List<byte[]> raw = records(out.resolve("part-00000-of-00001.tfrecord"));
    Example first = Example.parseFrom(raw.get(0));
    assertThat(first.getFeatures().getFeatureMap().get("small").getKindCase())
        .isEqualTo(Feature.KindCase.INT64_LIST);
    assertThat(
            first
                .getFeatures()
                .getFeatureMap()
                .get("text")
                .getBytesList()
                .getValue(0)
                .toStringUtf8())
        .isEqualTo("ünïcode");
    assertThat(first.getFeatures().getFeatureMap().get("wide").getFloatList().getValue(0))
        .isEqualTo(0.25f);
    Example second = Example.parseFrom(raw.get(1));
    assertThat(second.getFeatures().getFeatureMap().keySet())
        .containsExactlyInAnyOrder("id", "ids", "scores", "tags", "smalls");
    assertThat(second.getFeatures().getFeatureMap().get("ids").getInt64List().getValueCount())
        .isZero();
  }

  @Test
  void aNullInsideAnArrayIsRefusedByColumn() {
    StructType schema = StructType.fromDDL("ids array<bigint>");
    List<Row> rows = List.of(RowFactory.create(arr(1L, null)));
    Dataset<Row> df = spark.createDataFrame(rows, schema);

    assertThatThrownBy(
            () -> df.write().format("tfrecord").mode("overwrite").save(tmp.resolve("o").toString()))
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo("column 'ids': element 1 is null (a feature list cannot hold one)"));
    assertThat(tmp.resolve("o")).satisfies(p -> assertThat(visibleFiles(p)).isEmpty());
  }

  @Test
  void aNullRawRecordIsRefusedNamingItsColumn() throws IOException {
    Dataset<Row> df = spark.sql("select cast(null as binary) as data");

    assertThatThrownBy(
            () ->
                df.write()
                    .format("tfrecord")
                    .option("recordType", "ByteArray")
                    .mode("overwrite")
                    .save(tmp.resolve("o").toString()))
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo("column 'data' is null: a record cannot be"));
    assertThat(visibleFiles(tmp.resolve("o"))).isEmpty();
  }

  @Test
  void aColumnWithoutAFeatureTypeIsRefusedBeforeTheJob() {
    Dataset<Row> df = spark.sql("select current_date() as day");

    assertThatThrownBy(
            () -> df.write().format("tfrecord").mode("overwrite").save(tmp.resolve("o").toString()))
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .startsWith("column 'day' is date: a tf.train.Example feature maps to"));
  }

  @Test
  void appendAddsFilesAndOverwriteReplacesThem() throws IOException {
    Path out = tmp.resolve("out");
    Dataset<Row> ten = spark.range(10).selectExpr("id");
    ten.coalesce(2).write().format("tfrecord").mode("overwrite").save(out.toString());
    ten.coalesce(1).write().format("tfrecord").mode("append").save(out.toString());
    Files.writeString(out.resolve(".keep"), "hidden files are not data");

    assertThat(visibleFiles(out)).hasSize(3);
    assertThat(visibleFiles(out))
        .filteredOn(n -> n.matches("part-00000-of-00001-[0-9a-f]{8}\\.tfrecord"))
        .hasSize(1);
    assertThat(spark.read().format("tfrecord").load(out.toString()).count()).isEqualTo(20);

    ten.coalesce(1).write().format("tfrecord").mode("overwrite").save(out.toString());

    assertThat(visibleFiles(out)).containsExactly("part-00000-of-00001.tfrecord");
    assertThat(out.resolve(".keep")).exists();
    assertThat(spark.read().format("tfrecord").load(out.toString()).count()).isEqualTo(10);
  }

  @Test
  void theDefaultSaveModeIsRefusedBySpark() {
    Dataset<Row> df = spark.range(1).selectExpr("id");

    assertThatThrownBy(() -> df.write().format("tfrecord").save(tmp.resolve("o").toString()))
        .hasMessageContaining("ErrorIfExists");
  }

  @Test
  void aFailingJobLeavesNoFileAndTheOldDataInPlace() throws IOException {
    Path out = tmp.resolve("out");
    spark
        .range(5)
        .selectExpr("id")
        .coalesce(1)
        .write()
        .format("tfrecord")
        .mode("overwrite")
        .save(out.toString());
    byte[] before = Files.readAllBytes(out.resolve("part-00000-of-00001.tfrecord"));
    Dataset<Row> failing =
        spark
            .range(0, 1000, 1, 4)
            .selectExpr("if(id = 900, raise_error('row 900 is bad'), id) as id");

    assertThatThrownBy(
            () -> failing.write().format("tfrecord").mode("overwrite").save(out.toString()))
        .satisfies(e -> assertThat(LocalSpark.rootMessage(e)).contains("row 900 is bad"));

    assertThat(names(out)).containsExactly("part-00000-of-00001.tfrecord");
    assertThat(Files.readAllBytes(out.resolve("part-00000-of-00001.tfrecord"))).isEqualTo(before);
  }

  @Test
  void aFailedJobRemovesTheFileOfATaskThatWasStillWriting() throws IOException {
    // Partition 0 is slow (its writer's temporary file exists from the task's start); partition 1
    // fails at once, so Spark reports the failure while partition 0 is still writing.
    spark
        .udf()
        .register(
            "slowly",
            (org.apache.spark.sql.api.java.UDF1<Long, Long>)
                id -> {
                  // A busy wait, as a long computation is: Spark's interrupt does not stop it.
                  long end = System.nanoTime() + (id < 2 ? 400_000_000L : 0);
                  while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                  }
                  return id;
                },
            org.apache.spark.sql.types.DataTypes.LongType);
    Path out = tmp.resolve("slow");
    Dataset<Row> failing =
        spark
            .range(0, 4, 1, 2)
            .selectExpr("if(id = 2, raise_error('row 2 is bad'), slowly(id)) as id");

    assertThatThrownBy(() -> failing.write().format("tfrecord").mode("append").save(out.toString()))
        .satisfies(e -> assertThat(LocalSpark.rootMessage(e)).contains("row 2 is bad"));

    assertThat(names(out)).isEmpty();
  }

  /** A row's values, comparable with equals: byte arrays as hex, Scala sequences as lists. */
  private static List<Object> values(Row r) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.length(); i++) {
      out.add(value(r.get(i)));
    }
    return out;
  }

  private static Object value(Object v) {
    if (v instanceof byte[] b) {
      return java.util.HexFormat.of().formatHex(b);
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq).stream()
          .map(WriteTest::value)
          .toList();
    }
    if (v instanceof Float f) {
      return "float " + Float.floatToRawIntBits(f);
    }
    return v;
  }

  private static List<String> visibleFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    return names(dir).stream().filter(n -> !n.startsWith(".")).toList();
  }
}
