package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
  @TempDir Path tmp;

  @Test
  void helpListsTheCommandsAndExitsZero() {
    CliRunner r = CliRunner.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("quickstart", "convert", "inspect");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"quickstart", "convert", "inspect"}) {
      CliRunner r = CliRunner.run(command, "--help");
      assertThat(r.exit()).as(command).isZero();
      assertThat(r.out()).as(command).contains("Usage: millrace " + command);
    }
  }

  @Test
  void threadOptionsReachTheGraphEnginesThreadConfig() {
    try {
      CliRunner r =
          CliRunner.run(
              "--inter-op-threads",
              "3",
              "--intra-op-threads",
              "1",
              "inspect",
              TestData.tensorflow("records/feature-kinds.tfrecord").toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(dev.millrace.graph.ThreadConfig.physicalCores())
          .isEqualTo(dev.millrace.graph.ThreadConfig.of(3, 1));
    } finally {
      System.clearProperty(dev.millrace.graph.ThreadConfig.INTER_OP_PROPERTY);
      System.clearProperty(dev.millrace.graph.ThreadConfig.INTRA_OP_PROPERTY);
    }
  }

  @Test
  void aThreadCountBelowOneIsAUsageError() {
    CliRunner r = CliRunner.run("--intra-op-threads", "0", "inspect", "x.tfrecord");
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("--intra-op-threads");
  }

  @Test
  void unknownCommandIsAUsageError() {
    CliRunner r = CliRunner.run("frobnicate");
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("frobnicate");
  }

  @Test
  void inspectReadsTensorFlowsFileAsJson() throws IOException {
    CliRunner r =
        CliRunner.run(
            "inspect",
            TestData.tensorflow("records/fashion-train-500.tfrecord").toString(),
            "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("total_records").asLong()).isEqualTo(500);
    assertThat(json.get("files").get(0).get("records").asLong()).isEqualTo(500);
    assertThat(json.get("files").get(0).get("bytes").asLong()).isEqualTo(419_000);
    assertThat(json.get("files").get(0).get("corrupt_records").asLong()).isZero();
    assertThat(json.get("schema").findValuesAsText("name")).containsExactly("image", "label");
  }

  @Test
  void inspectDetectsCompressionFromTheSuffix() {
    for (String name :
        new String[] {"fashion-train-500.tfrecord.gz", "fashion-train-500.tfrecord.zlib"}) {
      CliRunner r = CliRunner.run("inspect", TestData.tensorflow("records/" + name).toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("total: 500 records");
    }
  }

  @Test
  void inspectShowsRecords() {
    CliRunner r =
        CliRunner.run(
            "inspect",
            TestData.tensorflow("records/fashion-train-500.tfrecord").toString(),
            "--show",
            "2");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("record 0 (", "record 1 (", "image", "<784 B:", "label", "int64  [9]");
  }

  @Test
  void inspectFailsWithOneLineNamingFileOffsetAndRecordOnCorruption() throws IOException {
    Path copy = tmp.resolve("bad.tfrecord");
    Files.copy(TestData.tensorflow("records/fashion-train-500.tfrecord"), copy);
    byte[] bytes = Files.readAllBytes(copy);
    int record3Payload = 3 * 838 + 12 + 100;
    bytes[record3Payload] ^= 0x40;
    Files.write(copy, bytes);

    CliRunner r = CliRunner.run("inspect", copy.toString());

    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip()).doesNotContain("\n");
    assertThat(r.err()).contains(copy + "@" + 3 * 838, "(record 3)", "data CRC mismatch");
    assertThat(r.out()).contains("499 records");
  }

  @Test
  void inspectOfAMissingFileFailsWithOneLine() {
    CliRunner r = CliRunner.run("inspect", tmp.resolve("nope.tfrecord").toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("nope.tfrecord").contains("no such file");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void inspectOfAnEmptyFileReportsZeroRecords() throws IOException {
    Path empty = Files.createFile(tmp.resolve("empty.tfrecord"));
    CliRunner r = CliRunner.run("inspect", empty.toString(), "--json");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("\"total_records\" : 0");
  }

  @Test
  void convertThenVerifyPassesAndATamperedShardFails() throws IOException {
    Path data = tmp.resolve("idx");
    IdxFiles.write(data, "train", 300);
    IdxFiles.write(data, "t10k", 50);
    Path out = tmp.resolve("out");

    CliRunner convert =
        CliRunner.run(
            "convert",
            "--from",
            "idx",
            "--input",
            data.toString(),
            "--output",
            out.toString(),
            "--shard-size",
            "100KiB");
    assertThat(convert.exit()).as(convert.err()).isZero();
    assertThat(convert.out()).contains("train", "test", "350 records");

    CliRunner verify = CliRunner.run("inspect", out.toString(), "--verify", "--json");
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("\"total_records\" : 350", "\"verified\" : true");

    Path shard;
    try (var files = Files.list(out)) {
      shard =
          files
              .filter(f -> f.getFileName().toString().startsWith("train-00000"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(shard);
    Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
    CliRunner tampered = CliRunner.run("inspect", out.toString(), "--verify");
    assertThat(tampered.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(tampered.err()).contains(shard.getFileName().toString());
  }

  @Test
  void convertRejectsAnUnknownFormat() {
    CliRunner r =
        CliRunner.run(
            "convert",
            "--from",
            "bmp",
            "--input",
            tmp.toString(),
            "--output",
            tmp.resolve("o").toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("bmp");
  }

  @Test
  void convertWithTheSparkEngineAbsentSaysInOneLineHowToGetIt() throws IOException {
    Path data = tmp.resolve("idx");
    IdxFiles.write(data, "train", 20);
    Path out = tmp.resolve("out");

    CliRunner r =
        CliRunner.run(
            "convert",
            "--from",
            "idx",
            "--input",
            data.toString(),
            "--output",
            out.toString(),
            "--engine",
            "spark");

    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip())
        .isEqualTo(
            "millrace convert: error: engine spark is not on the class path: run ./millrace from"
                + " the repository, which builds millrace-spark and adds it"
                + " (millrace-spark/target/millrace-spark.jar and millrace-spark/target/lib/*) when"
                + " --engine spark is given");
    assertThat(out).doesNotExist();
  }

  @Test
  void convertRefusesAMasterForTheLocalEngine() {
    CliRunner r =
        CliRunner.run(
            "convert",
            "--from",
            "idx",
            "--input",
            tmp.toString(),
            "--output",
            tmp.resolve("o").toString(),
            "--master",
            "local[2]");

    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err().strip())
        .isEqualTo("millrace convert: error: --master is for --engine spark");
  }

  @Test
  void convertOfBadInputLeavesNoOutputAndFailsWithOneLine() throws IOException {
    Path data = tmp.resolve("idx");
    IdxFiles.write(data, "train", 20);
    Path images = data.resolve("train-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path out = tmp.resolve("out");

    CliRunner r =
        CliRunner.run(
            "convert", "--from", "idx", "--input", data.toString(), "--output", out.toString());

    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("train-images-idx3-ubyte.gz");
    if (Files.exists(out)) {
      try (var left = Files.list(out)) {
        assertThat(left.toList()).isEmpty();
      }
    }
  }

  @Test
  void quickstartConvertsVerifiesTrainsAndDiagnosesTheGivenData() throws IOException {
    Path data = tmp.resolve("fashion");
    IdxFiles.write(data, "train", 300);
    IdxFiles.write(data, "t10k", 30);
    Path out = tmp.resolve("qs");

    CliRunner r =
        CliRunner.run(
            "quickstart",
            "--data",
            data.toString(),
            "--output",
            out.toString(),
            "--doctor-steps",
            "3");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "330 records", "verified", "3/4  Training fashion-cnn", "test accuracy", "verdict:")
        .containsPattern("the job is (input-bound|compute-bound|balanced)")
        .contains("Report: " + out.resolve("report/index.html").toAbsolutePath());
    assertThat(out.resolve("data/manifest.json")).exists();
    assertThat(out.resolve("checkpoint/checkpoint.json")).exists();
    assertThat(out.resolve("report/index.html")).exists();
    try (var logs = Files.list(out.resolve("logs"))) {
      assertThat(logs.map(p -> p.getFileName().toString()))
          .singleElement()
          .asString()
          .startsWith("events.out.tfevents.");
    }
  }

  static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }
}
