package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchInputCommandTest {
  private static final Path FASHION = TestData.tensorflow("records/fashion-train-500.tfrecord");

  /**
   * Payload bytes of TensorFlow's 500 records: 419,000 file bytes less 16 bytes of framing each.
   */
  private static final long FASHION_PAYLOAD_BYTES = 419_000 - 500 * 16;

  @TempDir Path tmp;

  private static JsonNode json(CliRunner r) throws IOException {
    assertThat(r.exit()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void benchIsListedWithItsInputSubcommand() {
    CliRunner r = CliRunner.run("bench", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("input", "kernels");
    CliRunner help = CliRunner.run("bench", "input", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out())
        .contains("Usage: millrace bench input", "--data", "--parse", "--augment", "--json");
  }

  @Test
  void readOnlyReportsRecordsBatchesAndRatesAsJson() throws IOException {
    JsonNode j =
        json(
            CliRunner.run(
                "bench", "input", "--data", FASHION.toString(), "--threads", "1", "--json"));
    assertThat(j.get("records").asLong()).isEqualTo(500);
    assertThat(j.get("batches").asLong()).isEqualTo(4); // 3 × 128 + 116
    assertThat(j.get("bytes").asLong()).isEqualTo(FASHION_PAYLOAD_BYTES);
    assertThat(j.get("epochs").asLong()).isEqualTo(1);
    assertThat(j.get("threads").asInt()).isEqualTo(1);
    assertThat(j.get("mode").asText()).isEqualTo("read");
    assertThat(j.get("records_per_sec").asDouble()).isPositive();
    assertThat(j.get("mb_per_sec").asDouble()).isPositive();
    assertThat(j.get("batches_per_sec").asDouble()).isPositive();
    assertThat(j.get("seconds").asDouble()).isPositive();
    // Both rates share one measured time: their ratio is the payload per record, 822 bytes.
    assertThat(j.get("mb_per_sec").asDouble() / j.get("records_per_sec").asDouble() * 1e6)
        .isCloseTo(822.0, org.assertj.core.data.Offset.offset(1.0));
    List<String> kinds = new ArrayList<>();
    j.get("stages").forEach(s -> kinds.add(s.get("kind").asText()));
    assertThat(kinds).containsExactly("tfRecords", "repeat", "batch", "prefetch");
    assertThat(j.get("stages").get(0).get("elements").asLong()).isEqualTo(500);
    assertThat(j.get("summary").asText()).contains("elements/s");
  }

  @Test
  void parseDecodesTheFashionLayoutIntoFloatBatches() throws IOException {
    JsonNode j =
        json(
            CliRunner.run(
                "bench",
                "input",
                "--data",
                FASHION.toString(),
                "--parse",
                "--batch",
                "100",
                "--threads",
                "2",
                "--json"));
    assertThat(j.get("records").asLong()).isEqualTo(500);
    assertThat(j.get("batches").asLong()).isEqualTo(5);
    assertThat(j.get("mode").asText()).isEqualTo("parse");
    assertThat(j.get("features").asText())
        .isEqualTo("image raw uint8 [28, 28, 1] -> float32 x1/255, label int64");
    List<String> kinds = new ArrayList<>();
    j.get("stages").forEach(s -> kinds.add(s.get("kind").asText()));
    assertThat(kinds).containsExactly("tfRecords", "repeat", "batch", "map", "prefetch");
  }

  @Test
  void augmentDecodesAndAugmentsEveryRecord() throws IOException {
    JsonNode j =
        json(
            CliRunner.run(
                "bench",
                "input",
                "--data",
                FASHION.toString(),
                "--augment",
                "--threads",
                "2",
                "--json"));
    assertThat(j.get("records").asLong()).isEqualTo(500);
    assertThat(j.get("mode").asText()).isEqualTo("augment");
    assertThat(j.get("features").asText()).contains("crop/flip/normalise");
  }

  @Test
  void twoEpochsReadEveryRecordTwice() throws IOException {
    JsonNode j =
        json(
            CliRunner.run(
                "bench",
                "input",
                "--data",
                FASHION.toString(),
                "--epochs",
                "2",
                "--parse",
                "--json"));
    assertThat(j.get("records").asLong()).isEqualTo(1000);
    assertThat(j.get("epochs").asLong()).isEqualTo(2);
    assertThat(j.get("batches").asLong()).isEqualTo(8); // 7 × 128 + 104: epochs run into a batch
    assertThat(j.get("bytes").asLong()).isEqualTo(2 * FASHION_PAYLOAD_BYTES);
  }

  @Test
  void readsEveryShardOfAFolderOrAGlob() throws IOException {
    Path dir = tmp.resolve("shards");
    Files.createDirectories(dir);
    for (int s = 0; s < 3; s++) {
      Files.copy(FASHION, dir.resolve(String.format("train-%05d-of-00003.tfrecord", s)));
    }
    Files.writeString(dir.resolve("README.txt"), "not a shard");
    JsonNode folder =
        json(CliRunner.run("bench", "input", "--data", dir.toString(), "--parse", "--json"));
    assertThat(folder.get("records").asLong()).isEqualTo(1500);
    assertThat(folder.get("files").asInt()).isEqualTo(3);
    JsonNode glob =
        json(
            CliRunner.run(
                "bench", "input", "--data", dir.resolve("train-0000[01]-*").toString(), "--json"));
    assertThat(glob.get("records").asLong()).isEqualTo(1000);
  }

  @Test
  void parseTakesTheShapeFromHeightWidthAndDepthFeatures() throws IOException {
    // 2 × 8 × 3 = 48 bytes is neither a square gray nor a square RGB image: only the features tell.
    Path file = tmp.resolve("rgb.tfrecord");
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      for (int i = 0; i < 10; i++) {
        w.write(example(new byte[48], i, 2, 8, 3));
      }
    }
    JsonNode j =
        json(CliRunner.run("bench", "input", "--data", file.toString(), "--parse", "--json"));
    assertThat(j.get("records").asLong()).isEqualTo(10);
    assertThat(j.get("features").asText()).startsWith("image raw uint8 [2, 8, 3]");
  }

  @Test
  void textOutputShowsRatesAndTheStageTable() {
    CliRunner r = CliRunner.run("bench", "input", "--data", FASHION.toString(), "--parse");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("500 records in 4 batches", "records/s", "MB/s", "batches/s", "tfRecords#0")
        .containsPattern("(input|consumer)-bound");
  }

  @Test
  void aMissingPathFailsWithOneLine() {
    CliRunner r =
        CliRunner.run("bench", "input", "--data", tmp.resolve("nowhere.tfrecord").toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .startsWith("millrace bench input: error: ")
        .contains("nowhere.tfrecord", "no such file");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aGlobMatchingNothingFailsWithOneLine() {
    CliRunner r = CliRunner.run("bench", "input", "--data", tmp.resolve("x-*.tfrecord").toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("no file matches");
  }

  @Test
  void aCorruptRecordFailsWithOneLineNamingFileAndOffset() throws IOException {
    Path copy = tmp.resolve("bad.tfrecord");
    byte[] bytes = Files.readAllBytes(FASHION);
    int record = 7;
    int recordBytes = 838; // 12 bytes of header, 822 of payload, 4 of data CRC
    bytes[record * recordBytes + 12 + 100] ^= 0x55; // a pixel of record 7: data CRC mismatch
    Files.write(copy, bytes);
    for (String mode : new String[] {"--json", "--parse"}) {
      CliRunner r = CliRunner.run("bench", "input", "--data", copy.toString(), mode);
      assertThat(r.exit()).as(mode).isEqualTo(Main.EXIT_FAILURE);
      assertThat(r.err().strip())
          .as(mode)
          .doesNotContain("\n")
          .contains("bad.tfrecord@" + record * recordBytes, "record " + record, "CRC");
      assertThat(r.out()).as(mode).isEmpty();
    }
  }

  @Test
  void parseOfRecordsThatAreNotImagesFailsWithOneLine() throws IOException {
    Path file = tmp.resolve("text.tfrecord");
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      w.write("plain text, not an Example".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    CliRunner raw = CliRunner.run("bench", "input", "--data", file.toString(), "--json");
    assertThat(json(raw).get("records").asLong()).isEqualTo(1);
    CliRunner r = CliRunner.run("bench", "input", "--data", file.toString(), "--parse");
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("text.tfrecord@0");
  }

  @Test
  void badNumbersAreUsageErrors() {
    for (String[] args :
        new String[][] {
          {"--batch", "0"}, {"--threads", "0"}, {"--epochs", "0"}, {"--batch", "many"}
        }) {
      List<String> line = new ArrayList<>(List.of("bench", "input", "--data", FASHION.toString()));
      line.addAll(List.of(args));
      CliRunner r = CliRunner.run(line.toArray(new String[0]));
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
      assertThat(r.err()).as(String.join(" ", args)).contains(args[0]);
    }
  }

  /** A tf.train.Example with image, label, height, width and depth, as the converters write. */
  private static byte[] example(byte[] image, long label, long h, long w, long d) {
    var f = dev.millrace.records.proto.Features.newBuilder();
    f.putFeature("image", bytesFeature(image));
    f.putFeature("label", int64Feature(label));
    f.putFeature("height", int64Feature(h));
    f.putFeature("width", int64Feature(w));
    f.putFeature("depth", int64Feature(d));
    return dev.millrace.records.proto.Example.newBuilder().setFeatures(f).build().toByteArray();
  }

  private static dev.millrace.records.proto.Feature bytesFeature(byte[] v) {
    return dev.millrace.records.proto.Feature.newBuilder()
        .setBytesList(
            dev.millrace.records.proto.BytesList.newBuilder()
                .addValue(com.google.protobuf.ByteString.copyFrom(v)))
        .build();
  }

  private static dev.millrace.records.proto.Feature int64Feature(long v) {
    return dev.millrace.records.proto.Feature.newBuilder()
        .setInt64List(dev.millrace.records.proto.Int64List.newBuilder().addValue(v))
        .build();
  }
}
