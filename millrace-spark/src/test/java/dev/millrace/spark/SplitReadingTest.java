package dev.millrace.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.records.Compression;
import dev.millrace.records.Examples;
import dev.millrace.records.RecordWriter;
import dev.millrace.records.proto.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An uncompressed file larger than {@code spark.sql.files.maxPartitionBytes} is read by several
 * tasks, one per split, and together they give every record exactly once and in order, records that
 * straddle split boundaries included; a corrupt record fails the one task that meets it, with the
 * file and offset, or is skipped and counted.
 */
@Tag("slow")
class SplitReadingTest {
  private static final int RECORDS = 400;
  private static final long SPLIT_BYTES = 10_000;
  private static final int DAMAGED = 200;

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path file;
  private static final List<Long> headers = new ArrayList<>();
  private static final List<Integer> lengths = new ArrayList<>();
  private static final List<byte[]> data = new ArrayList<>();

  @BeforeAll
  static void writeFile() throws IOException {
    spark = LocalSpark.session();
    file = dir.resolve("data.tfrecord");
    Random random = new Random(13);
    long offset = 0;
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      for (int i = 0; i < RECORDS; i++) {
        byte[] bytes = new byte[random.nextInt(3000)];
        random.nextBytes(bytes);
        data.add(bytes);
        byte[] record =
            Examples.serialize(
                Examples.of(
                    Features.newBuilder()
                        .putFeature("id", Examples.int64(i))
                        .putFeature("data", Examples.bytes(ByteString.copyFrom(bytes)))));
        w.write(record);
        headers.add(offset);
        lengths.add(record.length);
        offset += 16 + record.length;
      }
    }
  }

  @AfterEach
  void defaultSplitSize() {
    spark.conf().unset("spark.sql.files.maxPartitionBytes");
  }

  private static Dataset<Row> read(Path path, String corruptRecords) {
    spark.conf().set("spark.sql.files.maxPartitionBytes", Long.toString(SPLIT_BYTES));
    return spark
        .read()
        .format("tfrecord")
        .option("corruptRecords", corruptRecords)
        .schema("id bigint, data binary")
        .load(path.toString());
  }

  private static List<Long> ids(List<Row> rows) {
    return rows.stream().map(r -> r.getLong(0)).toList();
  }

  @Test
  void splitsGiveEveryRecordOnceInFileOrder() throws IOException {
    long straddling =
        LongStream.range(0, RECORDS)
            .filter(
                i -> {
                  long start = headers.get((int) i);
                  long end = start + 16 + lengths.get((int) i);
                  return start / SPLIT_BYTES != (end - 1) / SPLIT_BYTES;
                })
            .count();
    assertThat(straddling).as("records across a split boundary").isGreaterThan(20);
    Dataset<Row> df = read(file, "fail");

    assertThat(df.rdd().getNumPartitions())
        .isEqualTo((int) ((Files.size(file) + SPLIT_BYTES - 1) / SPLIT_BYTES));
    List<Row> rows = df.collectAsList();
    assertThat(ids(rows)).isEqualTo(LongStream.range(0, RECORDS).boxed().toList());
    for (int i = 0; i < RECORDS; i++) {
      assertThat(rows.get(i).<byte[]>getAs("data")).isEqualTo(data.get(i));
    }
  }

  /** Raw records of 84 bytes (100 framed), each starting with its index, big-endian. */
  private static Path evenFile(Path folder, int records) throws IOException {
    Files.createDirectories(folder);
    Path even = folder.resolve("even.tfrecord");
    try (RecordWriter w = RecordWriter.create(even, Compression.NONE)) {
      for (int i = 0; i < records; i++) {
        w.write(java.nio.ByteBuffer.allocate(84).putInt(i).array());
      }
    }
    return even;
  }

  @ParameterizedTest(name = "split bytes {0}")
  @ValueSource(longs = {1000, 1005, 1010, 1050, 1098, 333})
  void splitBoundariesOnAndInsideRecordsLoseAndRepeatNothing(long splitBytes) throws IOException {
    // 1000: every split begins exactly at a record; 1005 and 1010: inside a header's length and
    // its CRC; 1050: inside the data; 1098: inside the data CRC; 333: some splits hold no start.
    Path folder = dir.resolve("even-" + splitBytes);
    evenFile(folder, 200);
    Files.write(folder.resolve("empty.tfrecord"), new byte[0]);
    spark.conf().set("spark.sql.files.maxPartitionBytes", Long.toString(splitBytes));

    List<Row> rows =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "ByteArray")
            .load(folder.toString())
            .collectAsList();

    assertThat(rows.stream().map(r -> java.nio.ByteBuffer.wrap(r.getAs(0)).getInt()).toList())
        .isEqualTo(java.util.stream.IntStream.range(0, 200).boxed().toList());
  }

  @Test
  void aValidRecordInsideARecordsDataFailsTheReadRatherThanRepeatIt() throws IOException {
    // Record 1's data is itself a TFRecord file of one record, after 40 bytes of padding: a
    // split beginning in those 40 bytes finds a record whose two CRCs match inside record 1.
    java.io.ByteArrayOutputStream inner = new java.io.ByteArrayOutputStream();
    inner.write(new byte[40]);
    try (RecordWriter w = RecordWriter.wrap(inner, Compression.NONE)) {
      w.write(new byte[300]);
    }
    Path nested = dir.resolve("nested.tfrecord");
    try (RecordWriter w = RecordWriter.create(nested, Compression.NONE)) {
      w.write(new byte[84]);
      w.write(inner.toByteArray());
      for (int i = 0; i < 10; i++) {
        w.write(new byte[84]);
      }
    }
    // Under skip, the split that begins at the inner record reads it and skips record 1's tail as
    // corrupt; only the split holding record 1's start can tell, and it fails the job.
    spark.conf().set("spark.sql.files.maxPartitionBytes", "120");
    Dataset<Row> df =
        spark
            .read()
            .format("tfrecord")
            .option("recordType", "ByteArray")
            .option("corruptRecords", "skip")
            .load(nested.toString());

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .startsWith(
                        nested
                            + "@"
                            + (100 + 12 + 40)
                            + ": a valid record starts inside"
                            + " the record at 100"));
  }

  private Path damagedCopy() throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    // A byte in the middle of record DAMAGED's data: its data CRC no longer matches.
    long at = headers.get(DAMAGED) + 12 + lengths.get(DAMAGED) / 2;
    bytes[(int) at] ^= 0x10;
    Path damaged = dir.resolve("damaged.tfrecord");
    Files.write(damaged, bytes);
    return damaged;
  }

  @Test
  void aCorruptRecordFailsTheJobWithFileAndOffset() throws IOException {
    Path damaged = damagedCopy();
    Dataset<Row> df = read(damaged, "fail");

    assertThatThrownBy(df::collectAsList)
        .satisfies(
            e ->
                assertThat(LocalSpark.rootMessage(e))
                    .isEqualTo(damaged + "@" + headers.get(DAMAGED) + ": data CRC mismatch"));
  }

  @Test
  void schemaInferenceReadsTheSplitsAsASparkJobAndNamesACorruptRecord() throws Exception {
    spark.conf().set("spark.sql.files.maxPartitionBytes", Long.toString(SPLIT_BYTES));
    int splits = (int) ((Files.size(file) + SPLIT_BYTES - 1) / SPLIT_BYTES);
    String group = "inference-" + System.nanoTime();
    spark.sparkContext().setJobGroup(group, "schema inference", false);
    try {
      assertThat(spark.read().format("tfrecord").load(file.toString()).schema().simpleString())
          .isEqualTo("struct<data:binary,id:bigint>");
      assertThat(tasksOf(group)).isEqualTo(splits);

      Path damaged = damagedCopy();
      assertThatThrownBy(() -> spark.read().format("tfrecord").load(damaged.toString()))
          .satisfies(
              e ->
                  assertThat(LocalSpark.rootMessage(e))
                      .isEqualTo(damaged + "@" + headers.get(DAMAGED) + ": data CRC mismatch"));
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /** Tasks of the jobs of {@code group}, once Spark's status store has seen them end. */
  private static int tasksOf(String group) throws InterruptedException {
    var tracker = spark.sparkContext().statusTracker();
    for (int attempt = 0; ; attempt++) {
      int tasks = 0;
      boolean done = true;
      for (int job : tracker.getJobIdsForGroup(group)) {
        var info = tracker.getJobInfo(job);
        if (info.isEmpty()
            || info.get().status() != org.apache.spark.JobExecutionStatus.SUCCEEDED) {
          done = false;
          continue;
        }
        for (int stage : info.get().stageIds()) {
          var stageInfo = tracker.getStageInfo(stage);
          tasks += stageInfo.isEmpty() ? 0 : stageInfo.get().numCompletedTasks();
        }
      }
      if ((done && tasks > 0) || attempt == 100) {
        return tasks;
      }
      Thread.sleep(50);
    }
  }

  @Test
  void aSkippedCorruptRecordIsCountedOnce() throws IOException {
    Dataset<Row> df = read(damagedCopy(), "skip");

    List<Row> rows = df.collectAsList();

    List<Long> expected = new ArrayList<>(LongStream.range(0, RECORDS).boxed().toList());
    expected.remove((long) DAMAGED);
    assertThat(ids(rows)).isEqualTo(expected);
    assertThat(LocalSpark.scanMetric(df, "corruptRecords")).isEqualTo(1);
  }

  @Test
  void aCompressedFileIsReadWholeByOneTask() throws IOException {
    Path gz = dir.resolve("data.tfrecord.gz");
    try (RecordWriter w = RecordWriter.create(gz, Compression.GZIP);
        dev.millrace.records.RecordReader r = dev.millrace.records.RecordReader.open(file)) {
      while (r.next()) {
        w.write(r.copyRecord());
      }
    }
    Dataset<Row> df = read(gz, "fail");

    assertThat(df.rdd().getNumPartitions()).isEqualTo(1);
    assertThat(ids(df.collectAsList())).isEqualTo(LongStream.range(0, RECORDS).boxed().toList());
  }
}
