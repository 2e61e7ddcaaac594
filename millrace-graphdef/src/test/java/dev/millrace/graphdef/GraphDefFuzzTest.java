package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.graph.Graph;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.testkit.FuzzInputs;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of GraphDef reading and import: for any bytes, {@link GraphDefFile#parse}
 * returns a graph or throws a one-line {@link IOException}; a parsed graph is summarised without an
 * exception, and {@link GraphImporter} imports it or throws a one-line {@link IOException} naming
 * the source. Tensors are capped at 2^16 elements so that a lying shape cannot exhaust the fuzzer's
 * heap without being a finding.
 *
 * <p>The control byte (see {@link FuzzInputs}) is not used; the payload is the GraphDef's bytes.
 */
class GraphDefFuzzTest {
  static {
    System.setProperty(TensorValues.MAX_ELEMENTS_PROPERTY, Integer.toString(1 << 16));
  }

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void importsOrRejects(byte[] input) {
    byte[] bytes = FuzzInputs.payload(input);
    GraphDef g;
    try {
      g = GraphDefFile.parse(bytes, "fuzz.pb");
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith("fuzz.pb: ").doesNotContain("\n");
      return;
    }
    GraphSummary s = GraphSummary.of(g);
    assertThat(s.toText()).isNotNull();
    try (Graph imported = GraphImporter.withBuiltins().importGraph(g, "fuzz.pb")) {
      assertThat(imported.size()).isEqualTo(g.getNodeCount());
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith("fuzz.pb: ").doesNotContain("\n");
    }
  }
}
