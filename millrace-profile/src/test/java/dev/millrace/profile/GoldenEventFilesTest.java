package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * We read TensorFlow's own event files: every scalar of both golden files, as the manifest says.
 */
class GoldenEventFilesTest {
  @ParameterizedTest
  @ValueSource(strings = {GoldenEvents.CLASSIC, GoldenEvents.TENSOR})
  void readerReturnsEveryScalarTheManifestLists(String golden) throws IOException {
    List<JsonNode> events = GoldenEvents.events(golden);

    EventFile read = EventFileReader.read(GoldenEvents.file(golden));

    assertThat(read.fileVersion()).isEqualTo(events.get(0).get("file_version").asText());
    assertThat(read.events()).isEqualTo(events.size());
    assertThat(read.truncatedTail()).isFalse();
    assertThat(read.sessionStarts()).isEmpty();
    assertThat(read.scalars()).hasSize(events.size() - 1);
    for (int i = 1; i < events.size(); i++) {
      JsonNode e = events.get(i);
      JsonNode value = e.get("summary").get(0);
      double expected =
          value.has("simple_value")
              ? value.get("simple_value").asDouble()
              : value.get("tensor").get("value").asDouble();
      ScalarEvent s = read.scalars().get(i - 1);
      assertThat(s.tag()).as("event %d", i).isEqualTo(value.get("tag").asText());
      assertThat(s.step()).as("event %d", i).isEqualTo(e.get("step").asLong());
      assertThat(s.wallTime()).as("event %d", i).isEqualTo(e.get("wall_time").asDouble());
      assertThat((double) s.value()).as("event %d", i).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {GoldenEvents.CLASSIC, GoldenEvents.TENSOR})
  void goldenValuesFollowTheDocumentedFormulas(String golden) throws IOException {
    List<ScalarEvent> scalars = EventFileReader.readScalars(GoldenEvents.file(golden));

    for (int step = 0; step < 10; step++) {
      assertThat(scalars.get(2 * step))
          .extracting(ScalarEvent::tag, ScalarEvent::step, ScalarEvent::value)
          .containsExactly("loss", (long) step, 2.5f - 0.25f * step);
      assertThat(scalars.get(2 * step + 1))
          .extracting(ScalarEvent::tag, ScalarEvent::step, ScalarEvent::value)
          .containsExactly("accuracy", (long) step, 0.25f + step / 16f);
    }
  }
}
