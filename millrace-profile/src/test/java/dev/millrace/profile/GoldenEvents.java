package dev.millrace.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.RecordReader;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The event files TensorFlow 2.18 wrote, under {@code testdata/tensorflow/events/}, and their
 * manifest, found through the repository's test-data locator.
 */
final class GoldenEvents {
  static final String CLASSIC = "events.out.tfevents.golden";
  static final String TENSOR = "tensor/events.out.tfevents.golden";

  private static JsonNode manifest;

  private GoldenEvents() {}

  static Path dir() {
    return TestData.tensorflow("events");
  }

  static Path file(String name) {
    return dir().resolve(name);
  }

  static synchronized JsonNode manifest() {
    if (manifest == null) {
      try {
        manifest = new ObjectMapper().readTree(file("manifest.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return manifest;
  }

  /** The manifest's events of {@code name}, record 0 (the file version) first. */
  static List<JsonNode> events(String name) {
    for (JsonNode f : manifest().get("files")) {
      if (f.get("file").asText().equals(name)) {
        List<JsonNode> events = new ArrayList<>();
        f.get("events").forEach(events::add);
        return events;
      }
    }
    throw new IllegalArgumentException("no manifest entry for " + name);
  }

  /** Every record payload of an event file, in order. */
  static List<byte[]> payloads(Path file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(file, Compression.NONE, CorruptRecordPolicy.FAIL)) {
      while (r.next()) {
        out.add(r.copyRecord());
      }
    }
    return out;
  }

  /** Where record {@code index} starts in an uncompressed TFRecord file. */
  static long recordOffset(Path file, int index) throws IOException {
    try (RecordReader r = RecordReader.open(file, Compression.NONE, CorruptRecordPolicy.FAIL)) {
      for (int i = 0; i <= index; i++) {
        if (!r.next()) {
          throw new IllegalArgumentException(file + " has only " + i + " records");
        }
      }
      return r.recordOffset();
    }
  }
}
