package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformGraphCommandTest {
  private static final Path GRAPHS = TestData.tensorflow("graphs");

  @TempDir Path tmp;

  @Test
  void foldsTheTensorFlowGraphAndTheResultStillGivesTensorFlowsOutputs() throws Exception {
    Path folded = tmp.resolve("folded.pb");
    CliRunner t =
        CliRunner.run(
            "transform-graph",
            "--in_graph=" + GRAPHS.resolve("resnet-cifar.pb"),
            "--out_graph=" + folded,
            "--inputs=input",
            "--outputs=probabilities",
            "--transforms=strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms");
    assertThat(t.exit()).as(t.err()).isZero();
    assertThat(t.err()).contains("Applying strip_unused_nodes", "Applying fold_old_batch_norms");
    assertThat(t.out()).contains("Wrote " + folded);

    CliRunner summary = CliRunner.run("summarize-graph", folded.toString());
    assertThat(summary.out()).doesNotContain("FusedBatchNorm", "CheckNumerics", "Identity");

    Path probs = tmp.resolve("probs.f32");
    CliRunner run =
        CliRunner.run(
            "graph",
            "run",
            "--graph",
            folded.toString(),
            "--feed",
            "input=" + GRAPHS.resolve("resnet-input-b8.f32") + ":8x32x32x3",
            "--fetch",
            "probabilities",
            "--out",
            probs.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    float[] a = GraphFiles.floats(probs);
    float[] e = GraphFiles.floats(GRAPHS.resolve("resnet-output-b8.f32"));
    for (int i = 0; i < a.length; i++) {
      assertThat(Math.abs(a[i] - e[i])).isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void aBadTransformListIsOneLineAndWritesNothing() throws Exception {
    Path out = tmp.resolve("out.pb");
    CliRunner r =
        CliRunner.run(
            "transform-graph",
            "--in_graph=" + GRAPHS.resolve("resnet-cifar.pb"),
            "--out_graph=" + out,
            "--transforms=fold_constants(ignore_errors)");
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err().strip())
        .isEqualTo(
            "millrace transform-graph: error: --transforms: expected '=' after parameter"
                + " 'ignore_errors' at column 29, found ')'");
    CliRunner unknown =
        CliRunner.run(
            "transform-graph",
            "--in_graph=" + GRAPHS.resolve("resnet-cifar.pb"),
            "--out_graph=" + out,
            "--transforms=quantize_everything");
    assertThat(unknown.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(unknown.err())
        .contains(
            "transform 'quantize_everything' is not one of add_default_attributes, fold_batch_norms,");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s).isEmpty();
    }
  }
}
