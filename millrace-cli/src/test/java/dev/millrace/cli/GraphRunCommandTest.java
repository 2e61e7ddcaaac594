package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphRunCommandTest {
  private static final Path GRAPHS = TestData.tensorflow("graphs");

  @TempDir Path tmp;

  @Test
  void runsTheTensorFlowGraphOnItsInputAndWritesWhatTensorFlowWrote() throws Exception {
    Path logits = tmp.resolve("logits.f32");
    Path probs = tmp.resolve("probs.f32");
    CliRunner r =
        CliRunner.run(
            "graph",
            "run",
            "--graph",
            GRAPHS.resolve("resnet-cifar.pb").toString(),
            "--feed",
            "input=" + GRAPHS.resolve("resnet-input-b8.f32") + ":8x32x32x3",
            "--fetch",
            "logits",
            "--out",
            logits.toString(),
            "--fetch",
            "probabilities:0",
            "--out",
            probs.toString(),
            "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("fetches").get(1).get("shape").toString()).isEqualTo("[8,10]");
    assertThat(j.get("latency_ms").asDouble()).isPositive();
    assertClose(logits, GRAPHS.resolve("resnet-logits-b8.f32"));
    assertClose(probs, GRAPHS.resolve("resnet-output-b8.f32"));
  }

  @Test
  void runsTheGraphInNchwWithTheSameAnswersAndAnNhwcIntermediate() throws Exception {
    Path[] relu = {tmp.resolve("relu-nhwc.f32"), tmp.resolve("relu-nchw.f32")};
    Path logits = tmp.resolve("logits.f32");
    for (int i = 0; i < 2; i++) {
      Stream<String> layout = i == 0 ? Stream.of() : Stream.of("--data-format", "NCHW");
      String[] args =
          Stream.concat(
                  Stream.of(
                      "graph",
                      "run",
                      "--graph",
                      GRAPHS.resolve("resnet-cifar.pb").toString(),
                      "--feed",
                      "input=" + GRAPHS.resolve("resnet-input-b8.f32") + ":8x32x32x3",
                      "--fetch",
                      "Relu_5",
                      "--out",
                      relu[i].toString(),
                      "--fetch",
                      "logits",
                      "--out",
                      logits.toString()),
                  layout)
              .toArray(String[]::new);
      CliRunner r = CliRunner.run(args);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Relu_5 [8, 16, 16, 32]");
      assertClose(logits, GRAPHS.resolve("resnet-logits-b8.f32"));
    }
    assertClose(relu[1], relu[0]);
  }

  private static void assertClose(Path actual, Path expected) throws Exception {
    float[] a = GraphFiles.floats(actual);
    float[] e = GraphFiles.floats(expected);
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.length; i++) {
      assertThat(Math.abs(a[i] - e[i])).as("element " + i).isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void badFeedsAndNamesAreOneLineAndWriteNothing() throws Exception {
    Path graph = GRAPHS.resolve("resnet-cifar.pb");
    Path input = GRAPHS.resolve("resnet-input-b8.f32");
    Path out = tmp.resolve("out.f32");
    CliRunner wrongShape =
        CliRunner.run(
            "graph",
            "run",
            "--graph",
            graph.toString(),
            "--feed",
            "input=" + input + ":4x32x32x3",
            "--fetch",
            "logits",
            "--out",
            out.toString());
    assertThat(wrongShape.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(wrongShape.err().strip())
        .isEqualTo(
            "millrace graph run: error: "
                + input
                + ": 98304 bytes, but float32 [4, 32, 32, 3] needs 49152");

    CliRunner noNode =
        CliRunner.run(
            "graph",
            "run",
            "--graph",
            graph.toString(),
            "--feed",
            "input=" + input + ":8x32x32x3",
            "--fetch",
            "nowhere",
            "--out",
            out.toString());
    assertThat(noNode.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(noNode.err().strip())
        .isEqualTo("millrace graph run: error: " + graph + ": the graph has no node 'nowhere'");

    CliRunner badSpec =
        CliRunner.run(
            "graph",
            "run",
            "--graph",
            graph.toString(),
            "--feed",
            "input:8x32",
            "--fetch",
            "logits",
            "--out",
            out.toString());
    assertThat(badSpec.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(badSpec.err()).contains("expected NAME=FILE:D0xD1x...");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s).isEmpty();
    }
  }
}
