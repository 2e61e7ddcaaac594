package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.SequenceExample;
import dev.millrace.testkit.FuzzInputs;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link ExampleScanner} on Examples and SequenceExamples, with
 * protobuf-java as the oracle: the scanner accepts exactly what protobuf-java accepts, but for
 * feature names that are not valid UTF-8 (see {@link Utf8Keys}), and reports every map entry in
 * wire order with the kind, value count and shortest and longest bytes value that protobuf-java
 * finds in it (under the C++ oneof rule, see {@link ProtobufOracle}).
 *
 * <p>The control byte (see {@link FuzzInputs}): bit 0 scans a SequenceExample; bits 1–3 are how
 * many bytes of padding come before the message in the buffer scanned.
 */
class ExampleScannerFuzzTest {
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void agreesWithProtobuf(byte[] input) throws Exception {
    byte[] bytes = FuzzInputs.payload(input);
    boolean sequence = (FuzzInputs.control(input) & 1) != 0;
    int pad = (FuzzInputs.control(input) >>> 1) & 7;
    byte[] buf = new byte[pad + bytes.length + pad];
    System.arraycopy(bytes, 0, buf, pad, bytes.length);

    List<String> seen = new ArrayList<>();
    boolean scanned;
    try {
      if (sequence) {
        ExampleScanner.scanSequence(buf, pad, bytes.length, new Recorder(seen));
      } else {
        ExampleScanner.scan(buf, pad, bytes.length, new Recorder(seen)::context);
      }
      scanned = true;
    } catch (MalformedExampleException e) {
      assertThat(e.offset()).isBetween(0, bytes.length);
      scanned = false;
    }

    ProtobufOracle.Walk walk = ProtobufOracle.walk(bytes, sequence);
    try {
      if (sequence) {
        SequenceExample.parseFrom(bytes);
      } else {
        Example.parseFrom(bytes);
      }
    } catch (InvalidProtocolBufferException e) {
      if (scanned) {
        Utf8Keys.requireOnlyBadKeys(bytes, sequence, walk, e);
      }
      return;
    }
    assertThat(scanned)
        .as("scanner rejects what protobuf-java accepts: %s", Utf8Keys.hex(bytes))
        .isTrue();
    assertThat(walk.complete()).isTrue();
    assertThat(seen).isEqualTo(expected(walk));
  }

  /** The visitor calls the walk predicts, as text. */
  private static List<String> expected(ProtobufOracle.Walk walk) {
    List<String> calls = new ArrayList<>();
    for (Object part : walk.parts()) {
      if (part instanceof ProtobufOracle.Entry e) {
        calls.add(
            "feature " + HexFormat.of().formatHex(e.key().bytes()) + " " + shape(e.feature()));
      } else {
        ProtobufOracle.ListEntry l = (ProtobufOracle.ListEntry) part;
        calls.add("list " + HexFormat.of().formatHex(l.key().bytes()) + " " + l.steps().size());
        for (int i = 0; i < l.steps().size(); i++) {
          calls.add("step " + i + " " + shape(l.steps().get(i)));
        }
      }
    }
    return calls;
  }

  private static String shape(Feature f) {
    FeatureType type =
        switch (f.getKindCase()) {
          case BYTES_LIST -> FeatureType.BYTES;
          case FLOAT_LIST -> FeatureType.FLOAT;
          case INT64_LIST -> FeatureType.INT64;
          case KIND_NOT_SET -> FeatureType.NONE;
        };
    int count =
        f.getBytesList().getValueCount()
            + f.getFloatList().getValueCount()
            + f.getInt64List().getValueCount();
    int min = f.getBytesList().getValueList().stream().mapToInt(b -> b.size()).min().orElse(-1);
    int max = f.getBytesList().getValueList().stream().mapToInt(b -> b.size()).max().orElse(-1);
    return shape(type, count, min, max);
  }

  private static String shape(FeatureType type, int count, int min, int max) {
    return type + " " + count + " " + min + " " + max;
  }

  /** Writes each visitor call as a line of text, names as hex. */
  private record Recorder(List<String> calls) implements SequenceVisitor {
    @Override
    public void context(
        byte[] b, int nameOff, int nameLen, FeatureType type, int count, int min, int max) {
      calls.add(
          "feature "
              + HexFormat.of().formatHex(b, nameOff, nameOff + nameLen)
              + " "
              + shape(type, count, min, max));
    }

    @Override
    public void featureList(byte[] b, int nameOff, int nameLen, int steps) {
      calls.add("list " + HexFormat.of().formatHex(b, nameOff, nameOff + nameLen) + " " + steps);
    }

    @Override
    public void step(int step, FeatureType type, int count, int min, int max) {
      calls.add("step " + step + " " + shape(type, count, min, max));
    }
  }
}
