package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.FeatureList;
import dev.millrace.records.proto.SequenceExample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compatibility with TFRecord files written by real TensorFlow (see testdata/tensorflow/README.md).
 */
class GoldenRecordsTest {
  @TempDir Path tmp;

  static Stream<String> goldenFiles() {
    return Golden.fileNames().stream();
  }

  @ParameterizedTest
  @MethodSource("goldenFiles")
  void goldenFileBytesMatchManifest(String name) {
    JsonNode entry = Golden.entry(name);
    byte[] bytes = Golden.bytes(name);
    assertThat(bytes.length).isEqualTo(entry.get("file_bytes").asLong());
    assertThat(Golden.sha256(bytes)).isEqualTo(entry.get("file_sha256").asText());
  }

  @ParameterizedTest
  @MethodSource("goldenFiles")
  void readerDetectsCompressionFromSuffixAndMatchesEveryPayload(String name) throws IOException {
    JsonNode entry = Golden.entry(name);
    assertThat(Compression.fromFileName(Path.of(name)))
        .isEqualTo(Compression.parse(entry.get("compression").asText()));
    try (RecordReader r = RecordReader.open(Golden.file(name))) {
      assertPayloadsMatch(r, entry);
    }
  }

  @ParameterizedTest
  @MethodSource("goldenFiles")
  void readerWithExplicitCompressionMatchesEveryPayload(String name) throws IOException {
    JsonNode entry = Golden.entry(name);
    Compression c = Compression.parse(entry.get("compression").asText());
    try (RecordReader r = RecordReader.open(Golden.file(name), c, CorruptRecordPolicy.FAIL)) {
      assertThat(r.isCompressed()).isEqualTo(c != Compression.NONE);
      assertPayloadsMatch(r, entry);
    }
  }

  @Test
  void explicitCompressionWinsOverSuffix() throws IOException {
    // The same GZIP bytes under a name without a suffix read the same when told GZIP.
    Path renamed = tmp.resolve("fashion-train-500.tfrecord");
    Files.copy(Golden.file("fashion-train-500.tfrecord.gz"), renamed);
    try (RecordReader r = RecordReader.open(renamed, Compression.GZIP, CorruptRecordPolicy.FAIL)) {
      assertPayloadsMatch(r, Golden.entry("fashion-train-500.tfrecord.gz"));
    }
  }

  private static void assertPayloadsMatch(RecordReader r, JsonNode entry) throws IOException {
    JsonNode payloads = entry.get("payloads");
    int i = 0;
    while (r.next()) {
      JsonNode expected = payloads.get(i);
      assertThat(r.recordIndex()).isEqualTo(i);
      assertThat(r.length()).as("record %d length", i).isEqualTo(expected.get("length").asInt());
      assertThat(Golden.sha256(r.array(), r.offset(), r.length()))
          .as("record %d SHA-256", i)
          .isEqualTo(expected.get("sha256").asText());
      i++;
    }
    assertThat(i).isEqualTo(entry.get("records").asInt()).isEqualTo(payloads.size());
    assertThat(r.corruptRecords()).isZero();
    assertThat(r.goodRecords()).isEqualTo(i);
  }

  @ParameterizedTest
  @MethodSource("fashionFiles")
  void fashionLabelsAndVerifySumsMatchTensorFlow(String name) throws IOException {
    JsonNode entry = Golden.entry(name);
    JsonNode labels = entry.get("labels");
    long records = 0;
    long labelSum = 0;
    long pixelSum = 0;
    List<Long> firstLabels = new ArrayList<>();
    try (RecordReader r = RecordReader.open(Golden.file(name))) {
      while (r.next()) {
        Example ex = Example.parseFrom(r.record());
        Map<String, Feature> f = ex.getFeatures().getFeatureMap();
        assertThat(f.keySet()).containsExactlyInAnyOrder("image", "label");
        long label = f.get("label").getInt64List().getValue(0);
        ByteString image = f.get("image").getBytesList().getValue(0);
        assertThat(image.size()).isEqualTo(784);
        assertThat(label).isEqualTo(labels.get((int) records).asLong());
        for (int k = 0; k < image.size(); k++) {
          pixelSum += image.byteAt(k) & 0xff;
        }
        labelSum += label;
        if (firstLabels.size() < 10) {
          firstLabels.add(label);
        }
        records++;
      }
    }
    JsonNode verify = entry.get("verify_records_output");
    assertThat(records).isEqualTo(verify.get("records").asLong());
    assertThat(labelSum).isEqualTo(verify.get("label_sum").asLong());
    assertThat(pixelSum).isEqualTo(verify.get("image_bytes_sum").asLong());
    List<Long> expectedFirst = new ArrayList<>();
    verify.get("first_labels").forEach(v -> expectedFirst.add(v.asLong()));
    assertThat(firstLabels).isEqualTo(expectedFirst);
  }

  static Stream<String> fashionFiles() {
    return goldenFiles().filter(n -> n.startsWith("fashion"));
  }

  @Test
  void firstFashionPayloadEqualsManifestHex() {
    JsonNode entry = Golden.entry("fashion-train-500.tfrecord");
    assertThat(Golden.payloads("fashion-train-500.tfrecord").get(0))
        .isEqualTo(Golden.hex(entry.get("record0_payload_hex").asText()));
  }

  @Test
  void writerReproducesTensorFlowsFashionFileByteForByte() throws IOException {
    Path out = tmp.resolve("ours.tfrecord");
    try (RecordWriter w = RecordWriter.create(out, Compression.NONE)) {
      for (byte[] p : Golden.payloads("fashion-train-500.tfrecord")) {
        w.write(p);
      }
      assertThat(w.records()).isEqualTo(500);
      assertThat(w.uncompressedBytes()).isEqualTo(419_000);
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(Golden.bytes("fashion-train-500.tfrecord"));
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"GZIP", "ZLIB"})
  void compressedOutputDecompressesToTheUncompressedGoldenFile(Compression c) throws IOException {
    Path out = tmp.resolve("ours.tfrecord" + c.suffix());
    try (RecordWriter w = RecordWriter.create(out, c)) {
      for (byte[] p : Golden.payloads("fashion-train-500.tfrecord")) {
        w.write(p);
      }
    }
    byte[] inflated;
    try (InputStream raw = Files.newInputStream(out);
        InputStream in =
            c == Compression.GZIP ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
      inflated = in.readAllBytes();
    }
    assertThat(inflated).isEqualTo(Golden.bytes("fashion-train-500.tfrecord"));
    assertThat(Files.size(out)).isLessThan(300_000);
  }

  @ParameterizedTest
  @MethodSource("exampleFiles")
  void deterministicReserializationOfParsedExamplesGivesTheSamePayloads(String name)
      throws IOException {
    for (byte[] payload : Golden.payloads(name)) {
      Example ex = Example.parseFrom(payload);
      assertThat(deterministic(ex)).isEqualTo(payload);
    }
  }

  static Stream<String> exampleFiles() {
    return Stream.of("fashion-train-500.tfrecord", "feature-kinds.tfrecord");
  }

  @Test
  void deterministicReserializationOfParsedSequenceExamplesGivesTheSamePayloads()
      throws IOException {
    for (byte[] payload : Golden.payloads("sequence.tfrecord")) {
      assertThat(deterministic(SequenceExample.parseFrom(payload))).isEqualTo(payload);
    }
  }

  private static byte[] deterministic(com.google.protobuf.MessageLite m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    m.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void featureKindsParseToTheManifestsValues() throws IOException {
    JsonNode entry = Golden.entry("feature-kinds.tfrecord");
    List<byte[]> payloads = Golden.payloads("feature-kinds.tfrecord");
    assertThat(payloads).hasSize(entry.get("examples").size());
    for (JsonNode expected : entry.get("examples")) {
      int i = expected.get("index").asInt();
      byte[] payload = payloads.get(i);
      assertThat(payload).isEqualTo(Golden.hex(expected.get("payload_hex").asText()));
      Example ex = Example.parseFrom(payload);
      assertThat(ex.hasFeatures()).isEqualTo(expected.get("has_features_field").asBoolean());
      assertThat(actual(ex.getFeatures().getFeatureMap()))
          .as("example %d", i)
          .isEqualTo(expectedFeatures(expected.get("features")));
    }
  }

  @Test
  void sequenceExamplesParseToTheManifestsValues() throws IOException {
    JsonNode entry = Golden.entry("sequence.tfrecord");
    List<byte[]> payloads = Golden.payloads("sequence.tfrecord");
    assertThat(payloads).hasSize(entry.get("sequence_examples").size());
    for (JsonNode expected : entry.get("sequence_examples")) {
      int i = expected.get("index").asInt();
      byte[] payload = payloads.get(i);
      assertThat(payload).isEqualTo(Golden.hex(expected.get("payload_hex").asText()));
      SequenceExample ex = SequenceExample.parseFrom(payload);
      assertThat(actual(ex.getContext().getFeatureMap()))
          .isEqualTo(expectedFeatures(expected.get("context")));
      Map<String, List<FeatureValues>> lists = new HashMap<>();
      for (Map.Entry<String, FeatureList> e : ex.getFeatureLists().getFeatureListMap().entrySet()) {
        lists.put(
            e.getKey(),
            e.getValue().getFeatureList().stream().map(FeatureValues::fromProto).toList());
      }
      Map<String, List<FeatureValues>> expectedLists = new HashMap<>();
      expected
          .get("feature_lists")
          .properties()
          .forEach(
              e -> {
                List<FeatureValues> steps = new ArrayList<>();
                e.getValue().forEach(s -> steps.add(FeatureValues.fromJson(s)));
                expectedLists.put(e.getKey(), steps);
              });
      assertThat(lists).as("sequence example %d", i).isEqualTo(expectedLists);
    }
  }

  static Map<String, FeatureValues> expectedFeatures(JsonNode features) {
    Map<String, FeatureValues> out = new HashMap<>();
    features.properties().forEach(e -> out.put(e.getKey(), FeatureValues.fromJson(e.getValue())));
    return out;
  }

  private static Map<String, FeatureValues> actual(Map<String, Feature> features) {
    Map<String, FeatureValues> out = new HashMap<>();
    features.forEach((k, v) -> out.put(k, FeatureValues.fromProto(v)));
    return out;
  }
}
