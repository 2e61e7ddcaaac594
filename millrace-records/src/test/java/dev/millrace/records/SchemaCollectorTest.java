package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaCollectorTest {
  private static SchemaCollector collect(List<byte[]> records) {
    SchemaCollector c = new SchemaCollector();
    for (byte[] r : records) {
      c.observe(r, 0, r.length);
    }
    return c;
  }

  @Test
  void anOverriddenFeatureNameThatIsNotUtf8MakesTheRecordNoExampleAsForProtobuf() {
    // A damaged record found by a property run: a map entry holds two keys, the first of them not
    // UTF-8. protobuf-java checks every occurrence of a proto3 string, so it rejects the record.
    byte[] record =
        java.util.HexFormat.of()
            .parseHex(
                "0a87010a330a0012268801b1cb9b8deccebfc8ec010a130a000a052344d793480a086a1f3c3b59d2"
                    + "20be35119d446229abbdba7e8c0928380a3c102a0a060a048ad6231c1a120a01260a02f901"
                    + "0d5c645e080a011b0a01361a0c0a0a11ffffffffffffffff7f0a0300000048afc2dfa6d0a9"
                    + "a5eecb010a0812060a04a302a4020a0212000a040a001200f9ffffff0f4b395c7ee271bdb5");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> dev.millrace.records.proto.Example.parseFrom(record))
        .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);

    SchemaCollector collector = new SchemaCollector();
    collector.observe(record, 0, record.length);

    assertThat(collector.examples()).isZero();
    assertThat(collector.notExamples()).isEqualTo(1);
  }

  @Test
  void infersGoldenFeatureKindsSchema() {
    SchemaCollector c = collect(Golden.payloads("feature-kinds.tfrecord"));
    assertThat(c.examples()).isEqualTo(6);
    assertThat(c.notExamples()).isZero();
    assertThat(c.schema())
        .containsExactly(
            new FeatureSchema("floats", FeatureType.FLOAT, 0, 10, -1, -1, 3, false),
            new FeatureSchema("größe_日本語", FeatureType.INT64, 2, 2, -1, -1, 1, false),
            new FeatureSchema("ints", FeatureType.INT64, 0, 8, -1, -1, 3, false),
            new FeatureSchema("strings", FeatureType.BYTES, 0, 4, 0, 22, 4, false),
            new FeatureSchema("unset_kind", FeatureType.NONE, 0, 0, -1, -1, 1, false));
  }

  @Test
  void infersFashionSchema() {
    SchemaCollector c = collect(Golden.payloads("fashion-train-500.tfrecord"));
    assertThat(c.schema())
        .containsExactly(
            new FeatureSchema("image", FeatureType.BYTES, 1, 1, 784, 784, 500, false),
            new FeatureSchema("label", FeatureType.INT64, 1, 1, -1, -1, 500, false));
  }

  @Test
  void countsRecordsThatAreNotExamples() throws IOException {
    byte[] truncated = {0x0a, 0x05, 0x0a};
    byte[] invalidUtf8Name =
        ExampleDecoderTest.exampleOf(
            RandomExamples.message(
                out -> {
                  RandomExamples.writeBytes(out, 1, new byte[] {(byte) 0xc3, 0x28});
                  RandomExamples.writeBytes(out, 2, ExampleDecoderTest.int64Feature(1));
                }));
    byte[] good =
        ExampleDecoderTest.exampleOf(
            ExampleDecoderTest.entry("x", ExampleDecoderTest.floatFeature(1f)));
    SchemaCollector c = collect(List.of(truncated, good, invalidUtf8Name, "plain text".getBytes()));
    assertThat(c.examples()).isEqualTo(1);
    assertThat(c.notExamples()).isEqualTo(3);
    // Nothing of the rejected records leaks into the schema.
    assertThat(c.schema())
        .containsExactly(new FeatureSchema("x", FeatureType.FLOAT, 1, 1, -1, -1, 1, false));
  }

  @Test
  void repeatedKeyCountsOnceWithItsLastValue() {
    byte[] ex =
        ExampleDecoderTest.exampleOf(
            ExampleDecoderTest.entry("k", ExampleDecoderTest.bytesFeature("a", "bbbbbb")),
            ExampleDecoderTest.entry("new", ExampleDecoderTest.int64Feature()),
            ExampleDecoderTest.entry("new", ExampleDecoderTest.int64Feature(1, 2)),
            ExampleDecoderTest.entry("k", ExampleDecoderTest.bytesFeature("ccc")));
    SchemaCollector c = collect(List.of(ex, ex));
    assertThat(c.schema())
        .containsExactly(
            new FeatureSchema("k", FeatureType.BYTES, 1, 1, 3, 3, 2, false),
            new FeatureSchema("new", FeatureType.INT64, 2, 2, -1, -1, 2, false));
  }

  @Test
  void mixedKindsAreFlaggedAndMergeCombinesCollectors() {
    byte[] asFloat =
        ExampleDecoderTest.exampleOf(
            ExampleDecoderTest.entry("v", ExampleDecoderTest.floatFeature(1f, 2f)));
    byte[] asBytes =
        ExampleDecoderTest.exampleOf(
            ExampleDecoderTest.entry("v", ExampleDecoderTest.bytesFeature("abcd")));
    SchemaCollector a = collect(List.of(asFloat));
    SchemaCollector b = collect(List.of(asBytes, new byte[] {0x0e}));
    a.merge(b);
    assertThat(a.examples()).isEqualTo(2);
    assertThat(a.notExamples()).isEqualTo(1);
    // The first kind seen names the type; value sizes are reported for bytes features only.
    assertThat(a.schema())
        .containsExactly(new FeatureSchema("v", FeatureType.FLOAT, 1, 2, -1, -1, 2, true));
    // Names merged in keep working for later records.
    a.observe(asFloat, 0, asFloat.length);
    assertThat(a.schema().get(0).examples()).isEqualTo(3);
  }
}
