package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing TensorFlow-written GraphDef files. */
class GraphDefFileTest {
  static final Path RESNET = TestData.tensorflow("graphs/resnet-cifar.pb");

  @TempDir Path tmp;

  @Test
  void readsTheTensorFlowWrittenGraphAndWritesItBackByteForByte() throws IOException {
    GraphDef g = GraphDefFile.read(RESNET);
    assertThat(g.getNodeCount()).isEqualTo(134);
    assertThat(g.getNode(0).getName()).isEqualTo("input");
    assertThat(g.getNode(0).getOp()).isEqualTo("Placeholder");
    Path out = tmp.resolve("copy.pb");
    GraphDefFile.write(out, g);
    // Protobuf-java writes fields in number order and map entries as read; TensorFlow does the
    // same for a frozen graph, so the bytes come back identical.
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(RESNET));
  }

  @Test
  void textGraphsRoundTripThroughTheirName() throws IOException {
    GraphDef g = GraphDefFile.read(RESNET);
    Path text = tmp.resolve("resnet.pbtxt");
    GraphDefFile.write(text, g);
    assertThat(Files.readString(text)).contains("name: \"input\"", "op: \"Placeholder\"");
    assertThat(GraphDefFile.read(text)).isEqualTo(g);
  }

  @Test
  void garbageTruncationAndBadTextAreOneLineErrorsNamingTheFile() throws IOException {
    byte[] good = Files.readAllBytes(RESNET);
    Path cut = tmp.resolve("cut.pb");
    Files.write(cut, Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> GraphDefFile.read(cut))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(cut + ": not a binary GraphDef (")
        .hasMessageNotContaining("\n");

    Path garbage = tmp.resolve("garbage.pb");
    Files.write(garbage, "this is not a graph at all".getBytes());
    assertThatThrownBy(() -> GraphDefFile.read(garbage))
        .hasMessageStartingWith(garbage + ": not a binary GraphDef (");

    Path text = tmp.resolve("bad.pbtxt");
    Files.writeString(text, "node { name: \"a\" op: }");
    assertThatThrownBy(() -> GraphDefFile.read(text))
        .hasMessageStartingWith(text + ": not a text GraphDef (")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aFileAboveTheSizeCapIsRefusedBeforeItIsRead() {
    System.setProperty(GraphDefFile.MAX_BYTES_PROPERTY, "1000");
    try {
      assertThatThrownBy(() -> GraphDefFile.read(RESNET))
          .hasMessage(RESNET + ": 717023 bytes is more than the limit of 1000 for a graph file");
    } finally {
      System.clearProperty(GraphDefFile.MAX_BYTES_PROPERTY);
    }
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() throws IOException {
    // 5,000 nested groups of an unknown field (start tag 0x7b, end tag 0x7c): far past protobuf's
    // recursion limit of 100.
    int depth = 5_000;
    byte[] bytes = new byte[2 * depth];
    Arrays.fill(bytes, 0, depth, (byte) 0x7b);
    Arrays.fill(bytes, depth, 2 * depth, (byte) 0x7c);
    Path deep = tmp.resolve("deep.pb");
    Files.write(deep, bytes);
    assertThatThrownBy(() -> GraphDefFile.read(deep))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(deep + ": not a binary GraphDef (")
        .hasMessageContaining("nesting");
  }

  @Test
  void aFailedWriteLeavesNoFile() throws IOException {
    GraphDef g =
        GraphDef.newBuilder().addNode(NodeDef.newBuilder().setName("a").setOp("NoOp")).build();
    Path missing = tmp.resolve("no-such-dir/out.pb");
    assertThatThrownBy(() -> GraphDefFile.write(missing, g)).isInstanceOf(IOException.class);
    Path ok = tmp.resolve("ok.pb");
    GraphDefFile.write(ok, g);
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("ok.pb");
    }
  }
}
