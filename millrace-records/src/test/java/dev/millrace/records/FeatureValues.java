package dev.millrace.records;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.records.proto.Feature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A feature's kind and values in a form that compares exactly: floats as their bit patterns, int64
 * as longs, bytes as hex. Kinds use the golden manifest's names ({@code float_list}, {@code
 * int64_list}, {@code bytes_list}, {@code not_set}).
 */
record FeatureValues(String kind, List<Object> values) {
  static final FeatureValues ABSENT = new FeatureValues("not_set", List.of());

  /** From the golden manifest's rendering of one feature. */
  static FeatureValues fromJson(JsonNode f) {
    String kind = f.get("kind").asText();
    List<Object> values = new ArrayList<>();
    switch (kind) {
      case "float_list" ->
          f.get("bits")
              .forEach(b -> values.add(Integer.parseUnsignedInt(b.asText().substring(2), 16)));
      case "int64_list" -> f.get("values").forEach(v -> values.add(v.asLong()));
      case "bytes_list" -> f.get("values").forEach(v -> values.add(v.get("hex").asText()));
      default -> {}
    }
    if (f.get("count").asInt() != values.size()) {
      throw new IllegalStateException("manifest count disagrees with its values: " + f);
    }
    return new FeatureValues(kind, values);
  }

  static FeatureValues fromProto(Feature f) {
    List<Object> values = new ArrayList<>();
    String kind =
        switch (f.getKindCase()) {
          case FLOAT_LIST -> {
            f.getFloatList().getValueList().forEach(v -> values.add(Float.floatToRawIntBits(v)));
            yield "float_list";
          }
          case INT64_LIST -> {
            values.addAll(f.getInt64List().getValueList());
            yield "int64_list";
          }
          case BYTES_LIST -> {
            f.getBytesList()
                .getValueList()
                .forEach(v -> values.add(HexFormat.of().formatHex(v.toByteArray())));
            yield "bytes_list";
          }
          case KIND_NOT_SET -> "not_set";
        };
    return new FeatureValues(kind, values);
  }

  static FeatureValues fromDecoded(DecodedExample ex, int i) {
    List<Object> values = new ArrayList<>();
    String kind =
        switch (ex.type(i)) {
          case FLOAT -> {
            for (int j = 0; j < ex.count(i); j++) {
              values.add(Float.floatToRawIntBits(ex.float32(i, j)));
            }
            yield "float_list";
          }
          case INT64 -> {
            for (int j = 0; j < ex.count(i); j++) {
              values.add(ex.int64(i, j));
            }
            yield "int64_list";
          }
          case BYTES -> {
            for (int j = 0; j < ex.count(i); j++) {
              values.add(
                  HexFormat.of()
                      .formatHex(
                          ex.source(),
                          ex.bytesOffset(i, j),
                          ex.bytesOffset(i, j) + ex.bytesLength(i, j)));
            }
            yield "bytes_list";
          }
          case NONE -> "not_set";
        };
    if (ex.type(i) == FeatureType.NONE && ex.count(i) != 0) {
      throw new AssertionError("a NONE feature with " + ex.count(i) + " values");
    }
    return new FeatureValues(kind, values);
  }
}
