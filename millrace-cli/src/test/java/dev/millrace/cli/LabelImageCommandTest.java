package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.data.Images;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelImageCommandTest {
  private static final Path RESNET = TestData.tensorflow("graphs/resnet-cifar.pb");
  private static final List<String> CIFAR =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  @TempDir Path tmp;

  @Test
  void classifiesAPngWithTheTensorFlowResNetAsTheGraphItselfScoresIt() throws Exception {
    byte[] px = new byte[32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(8);
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) r.nextInt(256);
    }
    Path png = tmp.resolve("image.png");
    Files.write(png, Images.encodePng(Tensor.ofBytes(DType.UINT8, Shape.of(32, 32, 3), px)));
    Path labels = tmp.resolve("labels.txt");
    Files.write(labels, CIFAR);

    float[] expected;
    float[] input = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      input[i] = (px[i] & 0xff) / 255f;
    }
    try (Graph g = GraphImporter.withBuiltins().importFile(RESNET);
        Session s = new Session(g);
        Session.Result res =
            s.runner()
                .feed("input:0", Tensor.ofFloats(Shape.of(1, 32, 32, 3), input))
                .fetch("probabilities:0")
                .run()) {
      expected = res.get(0).toFloatArray();
    }
    List<Integer> order =
        IntStream.range(0, 10)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -expected[i]))
            .toList();
    List<String> lines = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      int i = order.get(k);
      lines.add(String.format(Locale.ROOT, "%s (%d): %s", CIFAR.get(i), i, expected[i]));
    }

    CliRunner text =
        CliRunner.run(
            "label-image",
            "--graph",
            RESNET.toString(),
            "--labels",
            labels.toString(),
            "--image",
            png.toString(),
            "--top",
            "3");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out().strip().lines()).containsExactlyElementsOf(lines);

    CliRunner json =
        CliRunner.run(
            "label-image", "--graph", RESNET.toString(), "--image", png.toString(), "--json");
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.get("results")).hasSize(5);
    assertThat(j.get("results").get(0).get("index").asInt()).isEqualTo(order.getFirst());
    assertThat(j.get("latency_ms").asDouble()).isPositive();
  }

  @Test
  void aLargerGrayImageIsResizedAndGivenTheGraphsThreeChannels() throws Exception {
    byte[] px = new byte[48 * 64];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i % 251);
    }
    Path png = tmp.resolve("gray.png");
    Files.write(png, Images.encodePng(Tensor.ofBytes(DType.UINT8, Shape.of(48, 64, 1), px)));
    CliRunner r =
        CliRunner.run(
            "label-image", "--graph", RESNET.toString(), "--image", png.toString(), "--top", "10");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip().lines())
        .hasSize(10)
        .allMatch(l -> l.matches("\\(\\d\\): [0-9.E-]+"));
  }

  @Test
  void notAnImageIsOneLineNamingIt() throws Exception {
    Path bad = tmp.resolve("notes.jpg");
    Files.writeString(bad, "not an image");
    CliRunner r =
        CliRunner.run("label-image", "--graph", RESNET.toString(), "--image", bad.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip()).startsWith("millrace label-image: error: " + bad + ": ");
    assertThat(r.err().strip().lines()).hasSize(1);
    CliRunner layer =
        CliRunner.run(
            "label-image",
            "--graph",
            RESNET.toString(),
            "--image",
            bad.toString(),
            "--output_layer",
            "softmax");
    assertThat(layer.err().strip())
        .isEqualTo("millrace label-image: error: " + RESNET + ": the graph has no node 'softmax'");
  }
}
