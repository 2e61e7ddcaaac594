package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummarizeGraphCommandTest {
  private static final Path RESNET = TestData.tensorflow("graphs/resnet-cifar.pb");

  @TempDir Path tmp;

  @Test
  void summarisesTheTensorFlowWrittenGraphAsTextAndJson() throws Exception {
    CliRunner text = CliRunner.run("summarize-graph", RESNET.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("Found 1 possible inputs: (name=input, type=float(1), shape=[?,32,32,3])")
        .contains("Found 1 possible outputs: (name=probabilities, op=Softmax)")
        .contains("Op types used: 78 Const, 15 Conv2D, 15 FusedBatchNormV3");

    CliRunner tfStyle = CliRunner.run("summarize-graph", "--in_graph=" + RESNET);
    assertThat(tfStyle.out()).isEqualTo(text.out());

    CliRunner json = CliRunner.run("summarize-graph", "--json", RESNET.toString());
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.get("inputs").get(0).get("shape").asText()).isEqualTo("[?,32,32,3]");
    assertThat(j.get("op_counts").get("Conv2D").asInt()).isEqualTo(15);
    assertThat(j.get("const_bytes").asLong()).isEqualTo(4 * j.get("const_parameters").asLong());
  }

  @Test
  void aBrokenGraphIsOneLineNamingTheFileAndFails() throws Exception {
    Path garbage = tmp.resolve("garbage.pb");
    Files.write(garbage, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    CliRunner r = CliRunner.run("summarize-graph", garbage.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip())
        .startsWith("millrace summarize-graph: error: " + garbage + ": not a binary GraphDef (");
    assertThat(r.err().strip().lines()).hasSize(1);

    Path dangling = tmp.resolve("dangling.pb");
    GraphDefFile.write(
        dangling,
        GraphDef.newBuilder()
            .addNode(NodeDef.newBuilder().setName("relu").setOp("Relu").addInput("nowhere:0"))
            .build());
    CliRunner d = CliRunner.run("summarize-graph", dangling.toString());
    assertThat(d.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(d.out()).contains("Invalid input relu <- nowhere:0");
    assertThat(d.err().strip())
        .isEqualTo(
            "millrace summarize-graph: error: "
                + dangling
                + ": 1 input(s) name nodes the graph does not have, the first relu <- nowhere:0");

    CliRunner none = CliRunner.run("summarize-graph");
    assertThat(none.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(none.err()).contains("give the graph file once");
  }
}
