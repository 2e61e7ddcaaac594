package dev.millrace.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a record for people: a tf.train.Example feature by feature, long lists and binary values
 * shortened so that an image does not flood the terminal.
 */
final class ExamplePrinter {
  private static final int MAX_VALUES = 10;
  private static final int MAX_BYTES = 16;

  private ExamplePrinter() {}

  /** The features of {@code data} as lines, or null if it is not an Example. */
  static List<String> lines(byte[] data) {
    Map<String, String> features = describe(data);
    if (features == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    int width = features.keySet().stream().mapToInt(String::length).max().orElse(0);
    features.forEach((name, value) -> out.add(String.format("%-" + width + "s  %s", name, value)));
    return out;
  }

  /** Feature name to a short rendering of its value, sorted by name; null if not an Example. */
  static Map<String, String> describe(byte[] data) {
    Example example;
    try {
      example = Example.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    new TreeMap<>(example.getFeatures().getFeatureMap()).forEach((k, v) -> out.put(k, render(v)));
    return out;
  }

  private static String render(Feature f) {
    return switch (f.getKindCase()) {
      case BYTES_LIST ->
          "bytes  "
              + list(f.getBytesList().getValueList().stream().map(ExamplePrinter::bytes).toList());
      case FLOAT_LIST ->
          "float  " + list(f.getFloatList().getValueList().stream().map(String::valueOf).toList());
      case INT64_LIST ->
          "int64  " + list(f.getInt64List().getValueList().stream().map(String::valueOf).toList());
      case KIND_NOT_SET -> "(no kind set)";
    };
  }

  private static String list(List<String> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < Math.min(values.size(), MAX_VALUES); i++) {
      sb.append(i == 0 ? "" : ", ").append(values.get(i));
    }
    if (values.size() > MAX_VALUES) {
      sb.append(", … ").append(values.size() - MAX_VALUES).append(" more");
    }
    return sb.append(']').toString();
  }

  private static String bytes(ByteString b) {
    String text = printableUtf8(b);
    if (text != null) {
      return '"' + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + '"';
    }
    StringBuilder sb = new StringBuilder("<").append(b.size()).append(" B:");
    for (int i = 0; i < Math.min(b.size(), MAX_BYTES); i++) {
      sb.append(String.format(" %02x", b.byteAt(i) & 0xff));
    }
    return sb.append(b.size() > MAX_BYTES ? " …>" : ">").toString();
  }

  private static String printableUtf8(ByteString b) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(b.asReadOnlyByteBuffer())
              .toString();
      return s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f) ? s : null;
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
