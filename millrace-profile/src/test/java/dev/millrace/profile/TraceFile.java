package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A written trace read back, with the checks every trace must pass. */
record TraceFile(JsonNode root, List<JsonNode> events) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static TraceFile read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    List<JsonNode> events = new ArrayList<>();
    root.get("traceEvents").forEach(events::add);
    return new TraceFile(root, events);
  }

  List<JsonNode> phase(String ph) {
    return events.stream().filter(e -> e.get("ph").asText().equals(ph)).toList();
  }

  List<JsonNode> slices(String category) {
    return phase("X").stream().filter(e -> e.get("cat").asText().equals(category)).toList();
  }

  /** Track names by tid, from the thread_name metadata. */
  Map<Integer, String> threadNames() {
    Map<Integer, String> names = new HashMap<>();
    for (JsonNode m : phase("M")) {
      if (m.get("name").asText().equals("thread_name")) {
        names.put(m.get("tid").asInt(), m.get("args").get("name").asText());
      }
    }
    return names;
  }

  String trackOf(JsonNode event) {
    return threadNames().get(event.get("tid").asInt());
  }

  static long nanos(JsonNode micros) {
    return micros.decimalValue().movePointRight(3).longValueExact();
  }

  /**
   * The format's rules: the top-level keys, every slice with its fields, a name for every track,
   * and slices of one track either disjoint or one inside the other.
   */
  void assertWellFormed() {
    assertThat(root.get("displayTimeUnit").asText()).isEqualTo("ms");
    Map<Integer, String> names = threadNames();
    Map<Integer, List<long[]>> byTid = new HashMap<>();
    Set<Integer> tids = new HashSet<>();
    for (JsonNode e : events) {
      assertThat(e.has("name") && e.has("ph") && e.has("pid") && e.has("args"))
          .as("%s", e)
          .isTrue();
      String ph = e.get("ph").asText();
      if (ph.equals("M")) {
        continue;
      }
      assertThat(e.has("cat") && e.has("ts") && e.has("tid")).as("%s", e).isTrue();
      tids.add(e.get("tid").asInt());
      if (ph.equals("X")) {
        long start = nanos(e.get("ts"));
        long end = start + nanos(e.get("dur"));
        assertThat(start).isNotNegative();
        assertThat(end).isGreaterThanOrEqualTo(start);
        byTid
            .computeIfAbsent(e.get("tid").asInt(), t -> new ArrayList<>())
            .add(new long[] {start, end});
      }
    }
    assertThat(names.keySet()).as("tracks with a thread_name").containsAll(tids);
    byTid.forEach(
        (tid, spans) -> {
          for (int i = 0; i < spans.size(); i++) {
            for (int j = i + 1; j < spans.size(); j++) {
              long[] a = spans.get(i);
              long[] b = spans.get(j);
              boolean disjoint = a[1] <= b[0] || b[1] <= a[0];
              boolean aHoldsB = a[0] <= b[0] && b[1] <= a[1];
              boolean bHoldsA = b[0] <= a[0] && a[1] <= b[1];
              assertThat(disjoint || aHoldsB || bHoldsA)
                  .as(
                      "slices [%d, %d] and [%d, %d] on %s overlap",
                      a[0], a[1], b[0], b[1], names.get(tid))
                  .isTrue();
            }
          }
        });
  }
}
