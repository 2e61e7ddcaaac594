package dev.millrace.records;

import static dev.millrace.records.RandomExamples.message;
import static dev.millrace.records.RandomExamples.writeBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.WireFormat;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.FloatList;
import dev.millrace.records.proto.Int64List;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExampleDecoderTest {
  private static final List<String> KINDS =
      List.of("floats", "ints", "strings", "unset_kind", "größe_日本語", "absent");

  // --- small builders for hand-made wire bytes ---

  static byte[] entry(String key, byte[] feature) {
    return message(
        out -> {
          writeBytes(out, 1, key.getBytes(StandardCharsets.UTF_8));
          writeBytes(out, 2, feature);
        });
  }

  static byte[] exampleOf(byte[]... entries) {
    byte[] features =
        message(
            out -> {
              for (byte[] e : entries) {
                writeBytes(out, 1, e);
              }
            });
    return message(out -> writeBytes(out, 1, features));
  }

  static byte[] floatFeature(float... values) {
    FloatList.Builder b = FloatList.newBuilder();
    for (float v : values) {
      b.addValue(v);
    }
    return Feature.newBuilder().setFloatList(b).build().toByteArray();
  }

  static byte[] int64Feature(long... values) {
    Int64List.Builder b = Int64List.newBuilder();
    for (long v : values) {
      b.addValue(v);
    }
    return Feature.newBuilder().setInt64List(b).build().toByteArray();
  }

  static byte[] bytesFeature(String... values) {
    BytesList.Builder b = BytesList.newBuilder();
    for (String v : values) {
      b.addValue(ByteString.copyFromUtf8(v));
    }
    return Feature.newBuilder().setBytesList(b).build().toByteArray();
  }

  private static DecodedExample decode(ExampleDecoder d, byte[] bytes)
      throws MalformedExampleException {
    DecodedExample r = d.newResult();
    d.decode(bytes, r);
    return r;
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "tenth byte 0x{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"00", "01", "02", "58", "7f"})
  void takesBit63OfATenByteVarintFromTheLowestBitOfItsTenthByte(String tenth)
      throws MalformedExampleException {
    // Found by fuzzing against protobuf-java, whose fast path sets bit 63 whatever the tenth byte.
    byte[] varint = java.util.HexFormat.of().parseHex("fffffffffffbfffff6" + tenth);
    java.math.BigInteger sum = java.math.BigInteger.ZERO;
    for (int i = 0; i < varint.length; i++) {
      sum = sum.or(java.math.BigInteger.valueOf(varint[i] & 0x7f).shiftLeft(7 * i));
    }
    long wanted = sum.longValue(); // the varint's bits, those past 64 dropped
    byte[] list = new byte[2 + varint.length];
    list[0] = 1 << 3 | 2;
    list[1] = (byte) varint.length;
    System.arraycopy(varint, 0, list, 2, varint.length);
    byte[] feature = new byte[2 + list.length];
    feature[0] = 3 << 3 | 2; // int64_list
    feature[1] = (byte) list.length;
    System.arraycopy(list, 0, feature, 2, list.length);
    ExampleDecoder d = ExampleDecoder.of("i");
    DecodedExample r = decode(d, exampleOf(entry("i", feature)));
    assertThat(r.count(0)).isEqualTo(1);
    assertThat(r.int64(0, 0)).isEqualTo(wanted);
    assertThat(r.int64(0, 0) < 0).isEqualTo((Integer.parseInt(tenth, 16) & 1) == 1);
  }

  // --- golden files ---

  @Test
  void decodesGoldenFeatureKindsAsTensorFlowParsedThem() throws IOException {
    ExampleDecoder d = ExampleDecoder.of(KINDS);
    DecodedExample r = d.newResult();
    JsonNode entry = Golden.entry("feature-kinds.tfrecord");
    List<byte[]> payloads = Golden.payloads("feature-kinds.tfrecord");
    for (JsonNode expected : entry.get("examples")) {
      int index = expected.get("index").asInt();
      d.decode(payloads.get(index), r);
      Map<String, FeatureValues> want =
          GoldenRecordsTest.expectedFeatures(expected.get("features"));
      for (int i = 0; i < KINDS.size(); i++) {
        String name = KINDS.get(i);
        assertThat(r.present(i))
            .as("%s in example %d", name, index)
            .isEqualTo(want.containsKey(name));
        assertThat(FeatureValues.fromDecoded(r, i))
            .as("%s in example %d", name, index)
            .isEqualTo(want.getOrDefault(name, FeatureValues.ABSENT));
      }
    }
  }

  @Test
  void decodesGoldenFashionExamplesZeroCopyFromTheReadersBuffer() throws IOException {
    ExampleDecoder d = ExampleDecoder.of("label", "image");
    DecodedExample r = d.newResult();
    JsonNode entry = Golden.entry("fashion-train-500.tfrecord");
    long labels = 0;
    long pixels = 0;
    int n = 0;
    try (RecordReader reader = RecordReader.open(Golden.file("fashion-train-500.tfrecord"))) {
      while (reader.next()) {
        d.decode(reader.array(), reader.offset(), reader.length(), r);
        assertThat(r.source()).isSameAs(reader.array());
        assertThat(r.type(0)).isEqualTo(FeatureType.INT64);
        assertThat(r.type(1)).isEqualTo(FeatureType.BYTES);
        assertThat(r.count(1)).isEqualTo(1);
        assertThat(r.bytesLength(1, 0)).isEqualTo(784);
        int at = r.bytesOffset(1, 0);
        assertThat(at).isBetween(reader.offset(), reader.offset() + reader.length() - 784);
        for (int k = 0; k < 784; k++) {
          pixels += r.source()[at + k] & 0xff;
        }
        assertThat(r.int64(0, 0)).isEqualTo(entry.get("labels").get(n).asLong());
        labels += r.int64(0, 0);
        n++;
      }
    }
    JsonNode verify = entry.get("verify_records_output");
    assertThat(n).isEqualTo(verify.get("records").asInt());
    assertThat(labels).isEqualTo(verify.get("label_sum").asLong());
    assertThat(pixels).isEqualTo(verify.get("image_bytes_sum").asLong());
  }

  // --- protobuf semantics ---

  @Test
  void absentAndKindlessFeaturesHaveNoValues() throws IOException {
    byte[] bytes = exampleOf(entry("empty", new byte[0]), entry("x", floatFeature(1f)));
    DecodedExample r = decode(ExampleDecoder.of("empty", "missing", "x"), bytes);
    assertThat(r.present(0)).isTrue();
    assertThat(r.type(0)).isEqualTo(FeatureType.NONE);
    assertThat(r.count(0)).isZero();
    assertThat(r.present(1)).isFalse();
    assertThat(r.type(1)).isEqualTo(FeatureType.NONE);
    assertThat(r.int64s(1)).isEmpty();
    assertThat(r.floats(0)).isEmpty();
    assertThat(r.present(2)).isTrue();
    assertThat(r.floats(2)[0]).isEqualTo(1f);
    assertThat(r.toString())
        .isEqualTo("DecodedExample{empty: NONE[0], missing: absent, x: FLOAT[1]}");
  }

  @Test
  void emptyListsHaveTheirKindAndNoValues() throws IOException {
    byte[] bytes =
        exampleOf(
            entry("f", floatFeature()), entry("i", int64Feature()), entry("b", bytesFeature()));
    DecodedExample r = decode(ExampleDecoder.of("f", "i", "b"), bytes);
    assertThat(List.of(r.type(0), r.type(1), r.type(2)))
        .containsExactly(FeatureType.FLOAT, FeatureType.INT64, FeatureType.BYTES);
    assertThat(List.of(r.count(0), r.count(1), r.count(2))).containsOnly(0);
  }

  @Test
  void emptyAndFeaturelessExamplesDecodeToAbsentFeatures() throws IOException {
    ExampleDecoder d = ExampleDecoder.of("a");
    DecodedExample r = d.newResult();
    d.decode(exampleOf(entry("a", int64Feature(1))), r);
    assertThat(r.present(0)).isTrue();
    d.decode(new byte[0], r);
    assertThat(r.present(0)).isFalse();
    assertThat(r.count(0)).isZero();
    d.decode(new byte[] {0x0a, 0x00}, r);
    assertThat(r.present(0)).isFalse();
  }

  @Test
  void repeatedKeyLastEntryWins() throws IOException {
    byte[] bytes =
        exampleOf(
            entry("k", int64Feature(1, 2, 3)),
            entry("other", int64Feature(9)),
            entry("k", floatFeature(0.5f)));
    DecodedExample r = decode(ExampleDecoder.of("k"), bytes);
    assertThat(r.type(0)).isEqualTo(FeatureType.FLOAT);
    assertThat(r.count(0)).isEqualTo(1);
    assertThat(r.float32(0, 0)).isEqualTo(0.5f);
    assertThat(
            Example.parseFrom(bytes)
                .getFeatures()
                .getFeatureOrThrow("k")
                .getFloatList()
                .getValueList())
        .containsExactly(0.5f);
  }

  @Test
  void repeatedKeyWithKindlessLastEntryLeavesNoValues() throws IOException {
    byte[] bytes = exampleOf(entry("k", int64Feature(1, 2, 3)), entry("k", new byte[0]));
    DecodedExample r = decode(ExampleDecoder.of("k"), bytes);
    assertThat(r.present(0)).isTrue();
    assertThat(r.type(0)).isEqualTo(FeatureType.NONE);
    assertThat(r.count(0)).isZero();
  }

  @Test
  void keyAfterValueAndMissingKeyAreHandled() throws IOException {
    byte[] valueFirst =
        message(
            out -> {
              writeBytes(out, 2, int64Feature(5));
              writeBytes(out, 1, "late".getBytes(StandardCharsets.UTF_8));
            });
    byte[] noKey = message(out -> writeBytes(out, 2, int64Feature(6)));
    byte[] bytes = exampleOf(valueFirst, noKey);
    DecodedExample r = decode(ExampleDecoder.of("late", ""), bytes);
    assertThat(r.int64(0, 0)).isEqualTo(5);
    assertThat(r.int64(1, 0)).isEqualTo(6);
    assertThat(Example.parseFrom(bytes).getFeatures().getFeatureMap()).containsKeys("late", "");
  }

  @Test
  void severalValueFieldsInOneEntryMerge() throws IOException {
    byte[] e =
        message(
            out -> {
              writeBytes(out, 1, "k".getBytes(StandardCharsets.UTF_8));
              writeBytes(out, 2, int64Feature(1, 2));
              writeBytes(out, 2, int64Feature(3));
            });
    byte[] bytes = exampleOf(e);
    DecodedExample r = decode(ExampleDecoder.of("k"), bytes);
    assertThat(java.util.Arrays.copyOf(r.int64s(0), r.count(0))).containsExactly(1, 2, 3);
    assertThat(
            Example.parseFrom(bytes)
                .getFeatures()
                .getFeatureOrThrow("k")
                .getInt64List()
                .getValueList())
        .containsExactly(1L, 2L, 3L);
  }

  @Test
  void packedAndUnpackedValuesMixInOneList() throws IOException {
    byte[] floats =
        message(
            out -> {
              RandomExamples.io(() -> out.writeFixed32(1, Float.floatToRawIntBits(1f)));
              writeBytes(out, 1, new byte[] {0, 0, 0, 0x40, 0, 0, 0x40, 0x40}); // 2, 3
              RandomExamples.io(() -> out.writeFixed32(1, Float.floatToRawIntBits(4f)));
            });
    byte[] ints =
        message(
            out -> {
              RandomExamples.io(() -> out.writeInt64(1, -1));
              writeBytes(out, 1, new byte[] {0x02, (byte) 0xac, 0x02}); // 2, 300
              RandomExamples.io(() -> out.writeInt64(1, Long.MIN_VALUE));
            });
    byte[] bytes =
        exampleOf(
            entry("f", message(out -> writeBytes(out, 2, floats))),
            entry("i", message(out -> writeBytes(out, 3, ints))));
    DecodedExample r = decode(ExampleDecoder.of("f", "i"), bytes);
    assertThat(java.util.Arrays.copyOf(r.floats(0), r.count(0))).containsExactly(1f, 2f, 3f, 4f);
    assertThat(java.util.Arrays.copyOf(r.int64s(1), r.count(1)))
        .containsExactly(-1, 2, 300, Long.MIN_VALUE);
    Features proto = Example.parseFrom(bytes).getFeatures();
    assertThat(proto.getFeatureOrThrow("f").getFloatList().getValueList())
        .containsExactly(1f, 2f, 3f, 4f);
    assertThat(proto.getFeatureOrThrow("i").getInt64List().getValueList())
        .containsExactly(-1L, 2L, 300L, Long.MIN_VALUE);
  }

  @Test
  void sameListKindTwiceInOneFeatureMerges() throws IOException {
    byte[] feature =
        message(
            out -> {
              writeBytes(out, 2, FloatList.newBuilder().addValue(1).build().toByteArray());
              writeBytes(out, 2, FloatList.newBuilder().addValue(2).build().toByteArray());
            });
    DecodedExample r = decode(ExampleDecoder.of("k"), exampleOf(entry("k", feature)));
    assertThat(java.util.Arrays.copyOf(r.floats(0), r.count(0))).containsExactly(1f, 2f);
  }

  @Test
  void listKindThatReturnsAfterAnotherKeepsOnlyItsLastValues() throws IOException {
    // float [1], bytes ["x"], float [2] in one Feature: the protobuf language guide and the C++
    // parser keep float [2]; protobuf-java's builder keeps [1, 2] (asserted below, so that a change
    // in protobuf-java shows up here).
    byte[] feature =
        message(
            out -> {
              writeBytes(out, 2, FloatList.newBuilder().addValue(1).build().toByteArray());
              writeBytes(
                  out,
                  1,
                  BytesList.newBuilder()
                      .addValue(ByteString.copyFromUtf8("x"))
                      .build()
                      .toByteArray());
              writeBytes(out, 2, FloatList.newBuilder().addValue(2).build().toByteArray());
            });
    DecodedExample r = decode(ExampleDecoder.of("k"), exampleOf(entry("k", feature)));
    assertThat(r.type(0)).isEqualTo(FeatureType.FLOAT);
    assertThat(java.util.Arrays.copyOf(r.floats(0), r.count(0))).containsExactly(2f);
    assertThat(Feature.parseFrom(feature).getFloatList().getValueList()).containsExactly(1f, 2f);
  }

  @Test
  void unknownFieldsAreSkippedAtEveryLevel() throws IOException {
    byte[] list =
        message(
            out -> {
              RandomExamples.io(() -> out.writeUInt64(7, 123));
              writeBytes(out, 1, new byte[] {5});
              RandomExamples.io(() -> out.writeFixed64(1, 99)); // field 1, wrong wire type
              RandomExamples.io(() -> out.writeInt64(1, 6));
            });
    byte[] feature =
        message(
            out -> {
              RandomExamples.io(() -> out.writeFixed32(9, 1));
              writeBytes(out, 3, list);
              RandomExamples.io(
                  () -> {
                    out.writeTag(12, WireFormat.WIRETYPE_START_GROUP);
                    out.writeUInt64(1, 1);
                    out.writeTag(13, WireFormat.WIRETYPE_START_GROUP);
                    out.writeTag(13, WireFormat.WIRETYPE_END_GROUP);
                    out.writeTag(12, WireFormat.WIRETYPE_END_GROUP);
                  });
            });
    byte[] e =
        message(
            out -> {
              writeBytes(out, 5, new byte[] {1, 2, 3});
              writeBytes(out, 1, "k".getBytes(StandardCharsets.UTF_8));
              RandomExamples.io(() -> out.writeUInt64(1, 3)); // key field with a wrong wire type
              writeBytes(out, 2, feature);
            });
    byte[] features =
        message(
            out -> {
              RandomExamples.io(() -> out.writeFixed64(2, 1));
              writeBytes(out, 1, e);
            });
    byte[] bytes =
        message(
            out -> {
              RandomExamples.io(() -> out.writeUInt64(3, -1));
              writeBytes(out, 1, features);
              writeBytes(out, 536_870_911, new byte[2]);
            });
    DecodedExample r = decode(ExampleDecoder.of("k"), bytes);
    assertThat(java.util.Arrays.copyOf(r.int64s(0), r.count(0))).containsExactly(5, 6);
    assertThat(
            Example.parseFrom(bytes)
                .getFeatures()
                .getFeatureOrThrow("k")
                .getInt64List()
                .getValueList())
        .containsExactly(5L, 6L);
  }

  @Test
  void unrequestedFeaturesAreSkippedWithoutLookingInside() throws IOException {
    // The value of "skipped" is not a valid Feature; only its length is read.
    byte[] bytes =
        exampleOf(entry("skipped", new byte[] {(byte) 0xff}), entry("k", int64Feature(4)));
    DecodedExample r = decode(ExampleDecoder.of("k"), bytes);
    assertThat(r.int64(0, 0)).isEqualTo(4);
    assertThatThrownBy(() -> decode(ExampleDecoder.of("skipped"), bytes))
        .isInstanceOf(MalformedExampleException.class);
  }

  @Test
  void decodesFromTheMiddleOfABufferWithAbsoluteViewsAndRelativeErrorOffsets() throws IOException {
    byte[] ex = exampleOf(entry("b", bytesFeature("hello", "")));
    byte[] buf = new byte[ex.length + 20];
    System.arraycopy(ex, 0, buf, 7, ex.length);
    ExampleDecoder d = ExampleDecoder.of("b");
    DecodedExample r = d.newResult();
    d.decode(buf, 7, ex.length, r);
    assertThat(
            new String(
                r.source(), r.bytesOffset(0, 0), r.bytesLength(0, 0), StandardCharsets.UTF_8))
        .isEqualTo("hello");
    assertThat(r.bytesOffset(0, 0)).isGreaterThan(7);
    assertThat(r.bytesLength(0, 1)).isZero();
    assertThat(r.copyBytes(0, 0)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    MalformedExampleException e =
        catchThrowableOfType(
            MalformedExampleException.class, () -> d.decode(buf, 7, ex.length - 1, r));
    assertThat(e.offset()).isBetween(0, ex.length);
  }

  @Test
  void arraysGrowForLongListsAndAreReusedForShortOnes() throws IOException {
    ExampleDecoder d = ExampleDecoder.of("v");
    DecodedExample r = d.newResult();
    long[] many = new long[5000];
    for (int k = 0; k < many.length; k++) {
      many[k] = k * 1_000_003L - 7;
    }
    d.decode(exampleOf(entry("v", int64Feature(many))), r);
    assertThat(java.util.Arrays.copyOf(r.int64s(0), r.count(0))).containsExactly(many);
    long[] backing = r.int64s(0);
    d.decode(exampleOf(entry("v", int64Feature(3))), r);
    assertThat(r.count(0)).isEqualTo(1);
    assertThat(r.int64s(0)).isSameAs(backing);
    assertThat(r.int64(0, 0)).isEqualTo(3);
  }

  // --- API contract ---

  @Test
  void accessorsRejectWrongKindAndIndex() throws IOException {
    DecodedExample r =
        decode(ExampleDecoder.of("label"), exampleOf(entry("label", int64Feature(1))));
    assertThatThrownBy(() -> r.float32(0, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("feature 0 ('label') is INT64, not FLOAT");
    assertThatThrownBy(() -> r.floats(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> r.int64(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> r.count(1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(r.size()).isEqualTo(1);
    assertThat(r.name(0)).isEqualTo("label");
  }

  @Test
  void decoderRejectsDuplicateNamesAndForeignResults() {
    assertThatThrownBy(() -> ExampleDecoder.of("a", "b", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("feature 'a' is requested twice in [a, b, a]");
    ExampleDecoder d = ExampleDecoder.of("a");
    DecodedExample foreign = ExampleDecoder.of("a").newResult();
    assertThatThrownBy(() -> d.decode(new byte[0], foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another decoder");
    assertThatThrownBy(() -> d.decode(new byte[4], 2, 3, d.newResult()))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(d.indexOf("a")).isZero();
    assertThat(d.indexOf("b")).isEqualTo(-1);
    assertThat(d.featureNames()).containsExactly("a");
  }

  // --- malformed input ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "truncated tag varint          | 80                     | 0 | truncated varint (1 bytes, message ends)",
        "features length past the end  | 0a05 0a00              | 1 | length 5 runs past the end of its message (2 bytes left)",
        "field number 0                | 0000                   | 0 | invalid tag 0 (field number 0)",
        "wire type 6                   | 0e                     | 0 | invalid wire type 6 (field 1)",
        "wire type 7                   | 17                     | 0 | invalid wire type 7 (field 2)",
        "end group without start       | 0c                     | 0 | end-group tag of field 1 without a start",
        "unterminated group            | 1b 0801                | 3 | truncated group (field 3)",
        "group closed by another field | 1b 24                  | 1 | end-group tag of field 4 closes a group of field 3",
        "varint of 11 bytes            | 10 ffffffffffffffffffff01 | 1 | malformed varint (more than 10 bytes)",
        "truncated fixed64             | 11 0102                | 1 | truncated fixed64 field (2 of 8 bytes)",
        "truncated fixed32             | 15 01                  | 1 | truncated fixed32 field (1 of 4 bytes)",
        "entry length past features    | 0a03 0a05 00           | 3 | length 5 runs past the end of its message (1 bytes left)",
        "negative length               | 1a ffffffff0f          | 1 | negative length -1",
      })
  void malformedBytesFailWithTheirOffset(String what, String hex, int offset, String problem) {
    byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
    MalformedExampleException e =
        catchThrowableOfType(
            MalformedExampleException.class, () -> decode(ExampleDecoder.of("k"), bytes));
    assertThat(e).as(what).isNotNull();
    assertThat(e.problem()).isEqualTo(problem);
    assertThat(e.offset()).isEqualTo(offset);
    assertThat(e.getMessage()).isEqualTo("malformed Example at byte " + offset + ": " + problem);
    assertThatThrownBy(() -> Example.parseFrom(bytes))
        .as("protobuf rejects it too")
        .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
  }

  @Test
  void malformedValuesOfRequestedFeaturesFailWithTheirOffset() {
    // Example{features{entry{key "k", value{float_list{packed 3 bytes}}}}}
    byte[] floats = message(out -> writeBytes(out, 1, new byte[3]));
    byte[] bytes = exampleOf(entry("k", message(out -> writeBytes(out, 2, floats))));
    MalformedExampleException e =
        catchThrowableOfType(
            MalformedExampleException.class, () -> decode(ExampleDecoder.of("k"), bytes));
    assertThat(e.problem()).isEqualTo("packed float list of 3 bytes (not a multiple of 4)");
    assertThat(bytes[e.offset()]).isEqualTo((byte) 3);

    // An int64 list whose packed varint runs past its own length.
    byte[] ints = message(out -> writeBytes(out, 1, new byte[] {1, (byte) 0x80}));
    byte[] bytes2 = exampleOf(entry("k", message(out -> writeBytes(out, 3, ints))));
    MalformedExampleException e2 =
        catchThrowableOfType(
            MalformedExampleException.class, () -> decode(ExampleDecoder.of("k"), bytes2));
    assertThat(e2.problem()).isEqualTo("truncated varint (1 bytes, message ends)");
    assertThat(e2.offset()).isEqualTo(bytes2.length - 1);
    assertThatThrownBy(() -> Example.parseFrom(bytes2))
        .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
  }
}
