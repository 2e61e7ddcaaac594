package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.InferenceGraph;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace export} of a trained model, imported back and run against the trained graph. */
class ExportCommandTest {
  @TempDir static Path shared;
  private static Path data;

  @TempDir Path tmp;

  @BeforeAll
  static void convert() throws IOException {
    Path idx = shared.resolve("idx");
    IdxFiles.write(idx, "train", 256);
    IdxFiles.write(idx, "t10k", 64);
    data = shared.resolve("data");
    CliRunner r =
        CliRunner.run(
            "convert", "--from", "idx", "--input", idx.toString(), "--output", data.toString());
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void aTrainedFashionCnnExportsAsAFrozenGraphThatGivesTheTrainedModelsOutputs()
      throws IOException {
    Path ckpt = tmp.resolve("ckpt");
    CliRunner train =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "fashion-cnn",
            "--batch",
            "32",
            "--epochs",
            "1",
            "--checkpoint-dir",
            ckpt.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    Path pb = tmp.resolve("model.pb");
    CliRunner export =
        CliRunner.run(
            "export",
            "--checkpoint",
            ckpt.toString(),
            "--model",
            "fashion-cnn",
            "--out",
            pb.toString());
    assertThat(export.exit()).as(export.err()).isZero();

    GraphSummary s = GraphSummary.of(GraphDefFile.read(pb));
    assertThat(s.inputs()).extracting(GraphSummary.Endpoint::name).containsExactly("input");
    assertThat(s.outputs()).extracting(GraphSummary.Output::name).containsExactly("probabilities");
    assertThat(s.opCounts()).doesNotContainKeys("VariableV2", "Assign", "RandomStandardNormal");
    assertThat(s.opCounts()).containsKey("FusedBatchNormV3");

    float[] pixels = new float[4 * 28 * 28];
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    Tensor batch = Tensor.ofFloats(Shape.of(4, 28, 28, 1), pixels);
    float[] exported;
    try (Graph g = GraphImporter.withBuiltins().importFile(pb);
        Session session = new Session(g);
        Session.Result result =
            session.runner().feed("input:0", batch).fetch("probabilities:0").run()) {
      exported = result.get(0).toFloatArray();
    }
    float[] trained;
    try (InferenceGraph g =
            InferenceGraph.fromCheckpoint(ckpt, BuiltinModel.FASHION_CNN, DataFormat.NHWC);
        Session.Result result =
            g.session().runner().feed("input:0", batch).fetch("probabilities:0").run()) {
      trained = result.get(0).toFloatArray();
    }
    assertThat(exported).containsExactly(trained);
  }

  @Test
  void trainWithExportWritesTheFrozenGraphOfTheTrainedModel() throws IOException {
    Path ckpt = tmp.resolve("ckpt");
    Path pb = tmp.resolve("linear.pb");
    CliRunner train =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "linear",
            "--checkpoint-dir",
            ckpt.toString(),
            "--export",
            pb.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("frozen graph: " + pb);
    GraphSummary s = GraphSummary.of(GraphDefFile.read(pb));
    assertThat(s.inputs()).extracting(GraphSummary.Endpoint::shape).containsExactly("[?,28,28,1]");
    assertThat(s.opCounts()).containsKeys("MatMul", "Softmax").doesNotContainKey("VariableV2");
    // Softmax regression on 784 pixels and 10 classes: 7,840 weights and 10 biases.
    assertThat(s.constParameters()).isGreaterThanOrEqualTo(7_850);
  }

  @Test
  void aMissingOrMismatchedCheckpointIsOneLineAndWritesNothing() throws IOException {
    Path pb = tmp.resolve("model.pb");
    CliRunner missing =
        CliRunner.run(
            "export",
            "--checkpoint",
            tmp.resolve("none").toString(),
            "--model",
            "linear",
            "--out",
            pb.toString());
    assertThat(missing.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(missing.err().strip())
        .isEqualTo(
            "millrace export: error: "
                + tmp.resolve("none/checkpoint.json")
                + ": no such file (train with --checkpoint-dir first)");
    Path ckpt = tmp.resolve("ckpt");
    CliRunner train =
        CliRunner.run(
            "train",
            "--data",
            data.toString(),
            "--model",
            "linear",
            "--checkpoint-dir",
            ckpt.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    CliRunner other =
        CliRunner.run(
            "export",
            "--checkpoint",
            ckpt.toString(),
            "--model",
            "fashion-cnn",
            "--out",
            pb.toString());
    assertThat(other.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(other.err().strip())
        .endsWith("checkpoint.json: the checkpoint is of model linear, not fashion-cnn");
    assertThat(Files.exists(pb)).isFalse();
  }
}
