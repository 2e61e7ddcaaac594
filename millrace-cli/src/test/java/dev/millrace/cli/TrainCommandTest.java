package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.graph.Checkpoint;
import dev.millrace.profile.EventFileReader;
import dev.millrace.profile.ScalarEvent;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace train} and {@code millrace doctor} as a user runs them. */
class TrainCommandTest {
  @TempDir static Path shared;
  private static Path data;

  @TempDir Path tmp;

  @BeforeAll
  static void convert() throws IOException {
    Path idx = shared.resolve("idx");
    IdxFiles.write(idx, "train", 640);
    IdxFiles.write(idx, "t10k", 64);
    data = shared.resolve("data");
    CliRunner r =
        CliRunner.run(
            "convert", "--from", "idx", "--input", idx.toString(), "--output", data.toString());
    assertThat(r.exit()).as(r.err()).isZero();
  }

  private static List<String> train(Path ckpt, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                data.toString(),
                "--model",
                "fashion-cnn",
                "--batch",
                "32",
                "--epochs",
                "3",
                "--shuffle-buffer",
                "200",
                "--seed",
                "7",
                "--checkpoint-dir",
                ckpt.toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static List<String> oneEpoch(List<String> args) {
    List<String> out = new ArrayList<>(args);
    out.set(out.indexOf("--epochs") + 1, "1");
    return out;
  }

  @Test
  void trainPrintsTheJsonSummaryAndWritesEventsTheReportAndTheTrace() throws IOException {
    Path ckpt = tmp.resolve("ckpt");
    CliRunner r =
        CliRunner.run(
            oneEpoch(
                    train(
                        ckpt,
                        "--json",
                        "--logdir",
                        tmp.resolve("logs").toString(),
                        "--report",
                        tmp.resolve("report").toString(),
                        "--trace",
                        tmp.resolve("trace.json").toString()))
                .toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String field :
        List.of(
            "model",
            "epochs",
            "test_accuracy",
            "images_per_sec",
            "input_wait_share",
            "step_ms_median",
            "wall_seconds",
            "checkpoint")) {
      assertThat(j.has(field)).as(field).isTrue();
    }
    assertThat(j.get("model").asText()).isEqualTo("fashion-cnn");
    assertThat(j.get("steps").asLong()).isEqualTo(20);
    assertThat(Path.of(j.get("checkpoint").asText())).exists();
    assertThat(r.err()).contains("epoch 1/1: train loss");

    List<ScalarEvent> scalars = EventFileReader.readScalars(Path.of(j.get("events").asText()));
    assertThat(scalars)
        .extracting(ScalarEvent::tag)
        .contains("loss", "accuracy", "images_per_sec", "input_wait_share", "test/accuracy");
    assertThat(scalars)
        .filteredOn(e -> e.tag().equals("loss"))
        .extracting(ScalarEvent::step)
        .containsExactly(19L);
    assertThat(tmp.resolve("report/index.html")).exists();
    JsonNode trace = new ObjectMapper().readTree(tmp.resolve("trace.json").toFile());
    assertThat(trace.get("traceEvents").size()).isPositive();
  }

  @Test
  void aKilledRunResumedFromItsCheckpointEndsWithTheUninterruptedRunsWeights() throws Exception {
    Path whole = tmp.resolve("whole");
    CliRunner full = CliRunner.run(train(whole).toArray(String[]::new));
    assertThat(full.exit()).as(full.err()).isZero();

    Path cut = tmp.resolve("cut");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules");
    command.add("jdk.incubator.vector");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(train(cut, "--checkpoint-every", "7"));
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("child.log").toFile())
            .start();
    Path state = cut.resolve("checkpoint.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(state) && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    child.destroyForcibly(); // SIGKILL: no shutdown hook, no chance to tidy up
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isNotZero();
    JsonNode saved = new ObjectMapper().readTree(state.toFile());
    assertThat(saved.get("global_step").asLong()).isLessThan(60);
    assertThat(saved.get("step_in_epoch").asLong()).isPositive();

    CliRunner resumed =
        CliRunner.run(train(cut, "--checkpoint-every", "7", "--resume").toArray(String[]::new));
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming at epoch");
    assertThat(variables(cut)).isEqualTo(variables(whole));
  }

  @Test
  void scheduleAndWeightDecayFromTheCommandLineReachTheRecipeAndABadScheduleIsOneLine()
      throws IOException {
    Path ckpt = tmp.resolve("ckpt");
    CliRunner r =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "linear",
            "--lr-schedule",
            "cosine",
            "--weight-decay",
            "0.002",
            "--checkpoint-dir",
            ckpt.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode recipe =
        new ObjectMapper().readTree(ckpt.resolve("checkpoint.json").toFile()).get("recipe");
    assertThat(recipe.get("cosine_decay").asBoolean()).isTrue();
    assertThat(recipe.get("weight_decay").asDouble()).isEqualTo(0.002);

    CliRunner bad =
        CliRunner.run(
            "train", "--data", data.toString(), "--model", "linear", "--lr-schedule", "step");
    assertThat(bad.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(bad.err().strip())
        .isEqualTo(
            "millrace train: error: unknown --lr-schedule 'step' (expected constant or cosine)");
  }

  @Test
  void badInputGivesOneLineNamingTheFileAndLeavesNoPartialCheckpoint() throws IOException {
    CliRunner notData = CliRunner.run("train", "--data", tmp.toString(), "--model", "linear");
    assertThat(notData.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(notData.err().strip())
        .isEqualTo(
            "millrace train: error: "
                + tmp
                + ": not a converted data set (no manifest.json; create one with millrace convert)");

    CliRunner unknown = CliRunner.run("train", "--data", data.toString(), "--model", "vgg");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err())
        .contains("unknown model 'vgg' (expected one of linear, tf-tutorial-cnn");

    CliRunner shape = CliRunner.run("doctor", "--data", data.toString(), "--model", "resnet20");
    assertThat(shape.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(shape.err().strip())
        .isEqualTo(
            "millrace doctor: error: "
                + data.resolve("manifest.json")
                + ": the data holds 28×28×1 images, but resnet20 is built for 32×32×3");

    Path ckpt = tmp.resolve("ckpt");
    CliRunner first =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "linear",
            "--checkpoint-dir",
            ckpt.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    CliRunner other =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "fashion-cnn",
            "--checkpoint-dir",
            ckpt.toString(),
            "--resume");
    assertThat(other.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(other.err())
        .contains(ckpt.resolve("checkpoint.json") + ": the checkpoint is of model linear");

    List<String> before = files(ckpt);
    Path variables =
        ckpt.resolve(before.stream().filter(f -> f.endsWith(".mrckpt")).findFirst().orElseThrow());
    byte[] bytes = Files.readAllBytes(variables);
    bytes[bytes.length - 9] ^= 0x40;
    Files.write(variables, bytes);
    CliRunner corrupt =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "linear",
            "--epochs",
            "2",
            "--checkpoint-dir",
            ckpt.toString(),
            "--resume");
    assertThat(corrupt.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(corrupt.err().strip())
        .startsWith("millrace train: error: " + variables + ": checksum mismatch");
    assertThat(corrupt.err().strip().lines()).hasSize(1);
    assertThat(files(ckpt)).isEqualTo(before);
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Map<String, List<Float>> variables(Path dir) throws IOException {
    Path file;
    try (Stream<Path> s = Files.list(dir)) {
      file = s.filter(p -> p.toString().endsWith(".mrckpt")).findFirst().orElseThrow();
    }
    Map<String, List<Float>> out = new TreeMap<>();
    for (Map.Entry<String, Tensor> e : Checkpoint.read(file).entrySet()) {
      Tensor t = e.getValue();
      List<Float> v = new ArrayList<>();
      for (long i = 0; i < t.size(); i++) {
        v.add(
            t.dtype() == dev.millrace.tensor.DType.FLOAT32 ? t.getFloat(i) : (float) t.getLong(i));
      }
      out.put(e.getKey(), v);
    }
    return out;
  }
}
