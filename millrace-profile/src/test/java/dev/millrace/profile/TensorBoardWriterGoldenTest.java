package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.millrace.profile.proto.Event;
import dev.millrace.profile.proto.SourceMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our writer reproduces TensorFlow 2.18's event files byte for byte: the same 21 events (tags,
 * steps, values and wall times from the manifest) serialize to the same payloads, in both scalar
 * forms. The one difference is deliberate: the first event's {@code source_metadata.writer} names
 * us, not {@code tensorflow.core.util.events_writer}.
 */
class TensorBoardWriterGoldenTest {
  private static final int SOURCE_METADATA_FIELD = 10;
  private static final String TF_WRITER = "tensorflow.core.util.events_writer";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "TENSOR, tensor/events.out.tfevents.golden",
    "SIMPLE_VALUE, events.out.tfevents.golden"
  })
  void writerMatchesTensorFlowsBytesForEveryEvent(
      ScalarForm form, String golden, @TempDir Path logdir) throws IOException {
    Path ours = writeManifestEvents(form, GoldenEvents.events(golden), logdir);
    List<byte[]> expected = GoldenEvents.payloads(GoldenEvents.file(golden));
    List<byte[]> actual = GoldenEvents.payloads(ours);

    assertThat(actual).hasSameSizeAs(expected).hasSize(21);
    for (int i = 1; i < expected.size(); i++) {
      assertThat(hex(actual.get(i))).as("event %d", i).isEqualTo(hex(expected.get(i)));
    }
    // Framing included, everything after the first event is TensorFlow's file.
    byte[] goldenBytes = Files.readAllBytes(GoldenEvents.file(golden));
    byte[] ourBytes = Files.readAllBytes(ours);
    long goldenTail = GoldenEvents.recordOffset(GoldenEvents.file(golden), 1);
    long ourTail = GoldenEvents.recordOffset(ours, 1);
    assertThat(Arrays.copyOfRange(ourBytes, (int) ourTail, ourBytes.length))
        .isEqualTo(Arrays.copyOfRange(goldenBytes, (int) goldenTail, goldenBytes.length));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "TENSOR, tensor/events.out.tfevents.golden",
    "SIMPLE_VALUE, events.out.tfevents.golden"
  })
  void firstEventDiffersFromTensorFlowsOnlyInTheWriterName(
      ScalarForm form, String golden, @TempDir Path logdir) throws IOException {
    Path ours = writeManifestEvents(form, GoldenEvents.events(golden), logdir);
    byte[] expected = GoldenEvents.payloads(GoldenEvents.file(golden)).get(0);
    byte[] actual = GoldenEvents.payloads(ours).get(0);

    assertThat(Event.parseFrom(field(expected, SOURCE_METADATA_FIELD)).getSourceMetadata())
        .isEqualTo(SourceMetadata.newBuilder().setWriter(TF_WRITER).build());
    assertThat(Event.parseFrom(field(actual, SOURCE_METADATA_FIELD)).getSourceMetadata())
        .isEqualTo(SourceMetadata.newBuilder().setWriter("millrace").build());
    assertThat(hex(withoutField(actual, SOURCE_METADATA_FIELD)))
        .isEqualTo(hex(withoutField(expected, SOURCE_METADATA_FIELD)));
  }

  /** Writes the manifest's events of one golden file, with its clock and wall times. */
  private static Path writeManifestEvents(ScalarForm form, List<JsonNode> events, Path logdir)
      throws IOException {
    Instant opened = Instant.ofEpochSecond((long) events.get(0).get("wall_time").asDouble());
    TensorBoardOptions options =
        TensorBoardOptions.defaults()
            .withScalarForm(form)
            .withClock(InstantSource.fixed(opened))
            .withHostname("golden");
    try (TensorBoardWriter w = TensorBoardWriter.open(logdir, options)) {
      for (JsonNode e : events.subList(1, events.size())) {
        JsonNode value = e.get("summary").get(0);
        float v =
            (float)
                (value.has("simple_value")
                    ? value.get("simple_value").asDouble()
                    : value.get("tensor").get("value").asDouble());
        w.scalar(
            value.get("tag").asText(), e.get("step").asLong(), v, e.get("wall_time").asDouble());
      }
      return w.file();
    }
  }

  /** The top-level fields of {@code message} numbered {@code number}, tags included. */
  private static byte[] field(byte[] message, int number) throws IOException {
    return select(message, number, true);
  }

  private static byte[] withoutField(byte[] message, int number) throws IOException {
    return select(message, number, false);
  }

  private static byte[] select(byte[] message, int number, boolean keep) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!in.isAtEnd()) {
      int start = in.getTotalBytesRead();
      int tag = in.readTag();
      in.skipField(tag);
      if ((WireFormat.getTagFieldNumber(tag) == number) == keep) {
        out.write(message, start, in.getTotalBytesRead() - start);
      }
    }
    return out.toByteArray();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
