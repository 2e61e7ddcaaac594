package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleScannerTest {
  record Visit(String name, FeatureType type, int count, int minBytes, int maxBytes) {}

  static List<Visit> scan(byte[] bytes) throws MalformedExampleException {
    List<Visit> visits = new ArrayList<>();
    ExampleScanner.scan(
        bytes,
        0,
        bytes.length,
        (buf, off, len, type, count, min, max) ->
            visits.add(
                new Visit(
                    new String(buf, off, len, StandardCharsets.UTF_8), type, count, min, max)));
    return visits;
  }

  static FeatureType typeOf(String manifestKind) {
    return switch (manifestKind) {
      case "float_list" -> FeatureType.FLOAT;
      case "int64_list" -> FeatureType.INT64;
      case "bytes_list" -> FeatureType.BYTES;
      default -> FeatureType.NONE;
    };
  }

  /** What the scanner should report for a feature as the golden manifest renders it. */
  static Visit expected(String name, JsonNode f) {
    FeatureType type = typeOf(f.get("kind").asText());
    int min = -1;
    int max = -1;
    if (type == FeatureType.BYTES && f.get("count").asInt() > 0) {
      min = Integer.MAX_VALUE;
      max = 0;
      for (JsonNode v : f.get("values")) {
        int n = v.get("hex").asText().length() / 2;
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
    }
    return new Visit(name, type, f.get("count").asInt(), min, max);
  }

  @Test
  void scansGoldenFeatureKindsInWireOrder() throws IOException {
    List<byte[]> payloads = Golden.payloads("feature-kinds.tfrecord");
    for (JsonNode ex : Golden.entry("feature-kinds.tfrecord").get("examples")) {
      List<Visit> want = new ArrayList<>();
      ex.get("features").properties().forEach(e -> want.add(expected(e.getKey(), e.getValue())));
      // Deterministic serialization sorts map keys by their UTF-8 bytes, as the manifest does.
      assertThat(scan(payloads.get(ex.get("index").asInt())))
          .containsExactlyInAnyOrderElementsOf(want);
    }
    assertThat(scan(payloads.get(0)))
        .contains(new Visit("strings", FeatureType.BYTES, 4, 0, 15))
        .contains(new Visit("floats", FeatureType.FLOAT, 10, -1, -1));
  }

  @Test
  void scansGoldenSequenceExamples() throws IOException {
    List<byte[]> payloads = Golden.payloads("sequence.tfrecord");
    for (JsonNode ex : Golden.entry("sequence.tfrecord").get("sequence_examples")) {
      byte[] bytes = payloads.get(ex.get("index").asInt());
      Map<String, Visit> context = new LinkedHashMap<>();
      Map<String, List<Visit>> lists = new LinkedHashMap<>();
      ExampleScanner.scanSequence(
          bytes,
          0,
          bytes.length,
          new SequenceVisitor() {
            List<Visit> current;
            String currentName;
            int expectedSteps;

            @Override
            public void context(
                byte[] buf, int off, int len, FeatureType type, int count, int min, int max) {
              String name = new String(buf, off, len, StandardCharsets.UTF_8);
              context.put(name, new Visit(name, type, count, min, max));
            }

            @Override
            public void featureList(byte[] buf, int off, int len, int steps) {
              currentName = new String(buf, off, len, StandardCharsets.UTF_8);
              current = new ArrayList<>();
              expectedSteps = steps;
              lists.put(currentName, current);
            }

            @Override
            public void step(int step, FeatureType type, int count, int min, int max) {
              assertThat(step).isEqualTo(current.size()).isLessThan(expectedSteps);
              current.add(new Visit(currentName, type, count, min, max));
            }
          });
      Map<String, Visit> wantContext = new LinkedHashMap<>();
      ex.get("context")
          .properties()
          .forEach(e -> wantContext.put(e.getKey(), expected(e.getKey(), e.getValue())));
      Map<String, List<Visit>> wantLists = new LinkedHashMap<>();
      ex.get("feature_lists")
          .properties()
          .forEach(
              e -> {
                List<Visit> steps = new ArrayList<>();
                e.getValue().forEach(s -> steps.add(expected(e.getKey(), s)));
                wantLists.put(e.getKey(), steps);
              });
      assertThat(context).isEqualTo(wantContext);
      assertThat(lists).isEqualTo(wantLists);
    }
  }

  @Test
  void visitsARepeatedKeyEachTime() throws IOException {
    byte[] bytes =
        ExampleDecoderTest.exampleOf(
            ExampleDecoderTest.entry("k", ExampleDecoderTest.int64Feature(1, 2)),
            ExampleDecoderTest.entry("k", ExampleDecoderTest.bytesFeature("abc")));
    assertThat(scan(bytes))
        .containsExactly(
            new Visit("k", FeatureType.INT64, 2, -1, -1),
            new Visit("k", FeatureType.BYTES, 1, 3, 3));
  }

  @Test
  void checksValuesOfEveryFeature() {
    // Unlike the decoder, the scanner looks inside every feature.
    byte[] bytes =
        ExampleDecoderTest.exampleOf(ExampleDecoderTest.entry("bad", new byte[] {(byte) 0xff}));
    assertThatThrownBy(() -> scan(bytes))
        .isInstanceOf(MalformedExampleException.class)
        .hasMessageStartingWith("malformed Example at byte ");
  }
}
