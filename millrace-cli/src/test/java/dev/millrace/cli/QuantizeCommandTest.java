package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphExporter;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.ImageShape;
import dev.millrace.nn.InferenceGraph;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace quantize}: a calibrated eight-bit graph with no ranges measured at run time. */
class QuantizeCommandTest {
  @TempDir static Path shared;
  private static Path data;
  private static Path floatGraph;

  @TempDir Path tmp;

  @BeforeAll
  static void prepare() throws IOException {
    Path idx = shared.resolve("idx");
    IdxFiles.write(idx, "train", 128);
    IdxFiles.write(idx, "t10k", 64);
    data = shared.resolve("data");
    CliRunner r =
        CliRunner.run(
            "convert", "--from", "idx", "--input", idx.toString(), "--output", data.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    floatGraph = shared.resolve("fashion.pb");
    try (InferenceGraph g =
        InferenceGraph.initialized(
            BuiltinModel.FASHION_CNN, new ImageShape(28, 28, 1), 10, DataFormat.NHWC, 7)) {
      GraphDefFile.write(
          floatGraph,
          GraphExporter.export(g.graph(), g.session(), List.of("logits", "probabilities")));
    }
  }

  @Test
  void writesACalibratedEightBitGraphAndReportsItsAccuracy() throws IOException {
    Path out = tmp.resolve("q8.pb");
    CliRunner r =
        CliRunner.run(
            "quantize",
            "--in_graph",
            floatGraph.toString(),
            "--out_graph",
            out.toString(),
            "--calibrate",
            data.toString(),
            "--calibration-images",
            "64",
            "--report");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("activation ranges calibrated (min/max) on 64 images");
    assertThat(r.out()).contains("on 64 images").contains("8-bit, calibrated");
    Map<String, Integer> ops = GraphSummary.of(GraphDefFile.read(out)).opCounts();
    // Each conv + bias + ReLU is one fused op, and the classifier's result leaves in float.
    assertThat(ops)
        .containsEntry("QuantizedConv2DWithBiasAndReluAndRequantize", 3)
        .containsEntry("QuantizedMatMulWithBiasAndReluAndRequantize", 1)
        .containsEntry("QuantizedMatMulWithBiasAndDequantize", 1);
    assertThat(ops)
        .as("no range is measured at run time, and no chain of separate ops is left")
        .doesNotContainKeys(
            "RequantizationRange", "Min", "Conv2D", "FusedBatchNormV3", "Requantize");
    assertThat((double) Files.size(out) / Files.size(floatGraph)).isLessThanOrEqualTo(0.27);
    try (Graph g = GraphImporter.withBuiltins().importFile(out);
        Session s = new Session(g);
        Session.Result result =
            s.runner()
                .feed(
                    "input:0",
                    Tensor.zeros(dev.millrace.tensor.DType.FLOAT32, Shape.of(3, 28, 28, 1)))
                .fetch("probabilities:0")
                .run()) {
      float[] p = result.get(0).toFloatArray();
      float sum = 0;
      for (int i = 0; i < 10; i++) {
        sum += p[i];
      }
      assertThat(sum).isBetween(0.95f, 1.05f);
    }
  }

  @Test
  void unfusedKeepsTensorFlowsSeparateOpsAndPerChannelGivesEachFilterChannelItsRange()
      throws IOException {
    Path unfused = tmp.resolve("unfused.pb");
    CliRunner r = quantize(unfused, "--unfused");
    assertThat(r.exit()).as(r.err()).isZero();
    Map<String, Integer> ops = GraphSummary.of(GraphDefFile.read(unfused)).opCounts();
    assertThat(ops).containsKeys("QuantizedConv2D", "QuantizedMatMul", "Requantize");
    assertThat(ops).doesNotContainKeys("RequantizationRange", "Min");

    Path perChannel = tmp.resolve("per-channel.pb");
    r = quantize(perChannel, "--per-channel");
    assertThat(r.exit()).as(r.err()).isZero();
    GraphDef g = GraphDefFile.read(perChannel);
    for (NodeDef conv : g.getNodeList()) {
      if (!conv.getOp().equals("QuantizedConv2DWithBiasAndReluAndRequantize")) {
        continue;
      }
      Tensor filter = constant(g, conv.getInput(1));
      Tensor filterMin = constant(g, conv.getInput(5));
      assertThat(filterMin.shape())
          .as(conv.getName() + "'s filter range")
          .isEqualTo(Shape.of(filter.shape().dim(3)));
    }

    r = quantize(tmp.resolve("both.pb"), "--per-channel", "--unfused");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("--per-channel needs the fused ops");
  }

  private static CliRunner quantize(Path out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "quantize",
                "--in_graph",
                floatGraph.toString(),
                "--out_graph",
                out.toString(),
                "--calibrate",
                data.toString(),
                "--calibration-images",
                "64"));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static Tensor constant(GraphDef g, String input) {
    String name = dev.millrace.graphdef.GraphNames.nodeOf(input);
    return dev.millrace.graphdef.TensorValues.toTensor(
        g.getNodeList().stream()
            .filter(n -> n.getName().equals(name))
            .findFirst()
            .orElseThrow()
            .getAttrOrThrow("value")
            .getTensor());
  }

  @Test
  void percentileRangesNeedAPercentileAboveFifty() {
    Path out = tmp.resolve("q8.pb");
    CliRunner r =
        CliRunner.run(
            "quantize",
            "--in_graph",
            floatGraph.toString(),
            "--out_graph",
            out.toString(),
            "--calibrate",
            data.toString(),
            "--range",
            "percentile",
            "--percentile",
            "20");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err().strip())
        .isEqualTo("millrace quantize: error: --percentile: a number in (50, 100], got 20.0");
    assertThat(out).doesNotExist();
  }
}
