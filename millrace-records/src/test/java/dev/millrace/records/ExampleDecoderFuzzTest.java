package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.testkit.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link ExampleDecoder} with protobuf-java as the oracle: for any
 * bytes, both accept with the same kind and values for every feature, or both reject. Every key the
 * bytes hold is requested (with {@code ""} and a name that is never there), since the decoder skips
 * the features it is not asked for without looking inside, as documented.
 *
 * <p>The one documented difference: a key that is not valid UTF-8 can never equal a requested name,
 * so the decoder skips its entry unseen, where protobuf-java rejects the whole Example. The test
 * then replaces each such key with valid bytes and holds the decoder to the contract on the result
 * (a first fuzzing run found that check too strict: it required protobuf-java to accept the
 * repaired bytes, when the skipped entries may also be damaged inside).
 *
 * <p>Where a varint's tenth byte is other than 1, bit 63 of the value is left out of the
 * comparison: protobuf-java answers differently on its fast and its general path (see {@link
 * ExampleDecoder}).
 *
 * <p>The control byte (see {@link FuzzInputs}): its low three bits are how many bytes of padding
 * come before the Example in the buffer decoded, so that offsets are exercised too.
 */
class ExampleDecoderFuzzTest {
  private static final String NEVER_THERE = "never-there-\u00e9";

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void agreesWithProtobuf(byte[] input) throws Exception {
    agrees(FuzzInputs.payload(input), FuzzInputs.control(input) & 7, true);
  }

  /**
   * The check for {@code bytes}, decoded after {@code pad} bytes of padding. Where only the decoder
   * accepts and some keys are not UTF-8, those keys are overwritten with as many {@code 'k'} bytes
   * and the check runs again on the result ({@code mayRepair} false): the features under such keys
   * were skipped unseen, so the repaired bytes must satisfy the whole contract.
   */
  private static void agrees(byte[] bytes, int pad, boolean mayRepair) throws Exception {
    byte[] buf = new byte[pad + bytes.length + pad];
    System.arraycopy(bytes, 0, buf, pad, bytes.length);

    ProtobufOracle.Walk walk = ProtobufOracle.walk(bytes, false);
    List<String> requested = new ArrayList<>();
    for (ProtobufOracle.Key key : walk.keys()) {
      String name = new String(key.bytes(), StandardCharsets.UTF_8);
      if (key.isUtf8() && !requested.contains(name)) {
        requested.add(name);
      }
    }
    for (String extra : List.of("", NEVER_THERE)) {
      if (!requested.contains(extra)) {
        requested.add(extra);
      }
    }
    ExampleDecoder decoder = ExampleDecoder.of(requested);
    DecodedExample result = decoder.newResult();
    boolean decoded;
    try {
      decoder.decode(buf, pad, bytes.length, result);
      decoded = true;
    } catch (MalformedExampleException e) {
      assertThat(e.offset()).isBetween(0, bytes.length);
      decoded = false;
    }

    Example example;
    try {
      example = Example.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      if (decoded) {
        String why = "accepted what protobuf-java rejects (" + e.getMessage() + "): ";
        assertThat(mayRepair).as(why + Utf8Keys.hex(bytes)).isTrue();
        byte[] repaired = Utf8Keys.repaired(bytes, walk);
        assertThat(repaired).as(why + Utf8Keys.hex(bytes)).isNotNull();
        agrees(repaired, pad, false);
      }
      return;
    }
    assertThat(decoded)
        .as("decoder rejects what protobuf-java accepts: %s", Utf8Keys.hex(bytes))
        .isTrue();
    assertThat(walk.complete()).isTrue();

    Map<String, Feature> expected = new LinkedHashMap<>();
    for (Object part : walk.parts()) {
      ProtobufOracle.Entry e = (ProtobufOracle.Entry) part;
      expected.put(new String(e.key().bytes(), StandardCharsets.UTF_8), e.feature());
    }
    assertThat(expected.keySet()).isEqualTo(example.getFeatures().getFeatureMap().keySet());
    for (int i = 0; i < requested.size(); i++) {
      String name = requested.get(i);
      Feature f = expected.get(name);
      assertThat(result.present(i)).as("present(%s)", name).isEqualTo(f != null);
      FeatureValues want = f == null ? FeatureValues.ABSENT : FeatureValues.fromProto(f);
      FeatureValues got = FeatureValues.fromDecoded(result, i);
      if (hasOddTenthVarintByte(bytes)) {
        // protobuf-java's fast path sets bit 63 of such a varint whatever its tenth byte says.
        want = withoutBit63(want);
        got = withoutBit63(got);
      }
      assertThat(got).as("feature '%s'", name).isEqualTo(want);
      for (int j = 0; j < result.count(i) && result.type(i) == FeatureType.BYTES; j++) {
        assertThat(result.bytesOffset(i, j)).isGreaterThanOrEqualTo(pad);
        assertThat(result.bytesOffset(i, j) + result.bytesLength(i, j))
            .isLessThanOrEqualTo(pad + bytes.length);
      }
    }
  }

  /** Whether some varint may be ten bytes long with a tenth byte other than 1. */
  static boolean hasOddTenthVarintByte(byte[] b) {
    for (int i = 0, run = 0; i < b.length; i++) {
      if (run >= 9 && b[i] >= 0 && b[i] != 1) {
        return true;
      }
      run = b[i] < 0 ? run + 1 : 0;
    }
    return false;
  }

  private static FeatureValues withoutBit63(FeatureValues v) {
    if (!v.kind().equals("int64_list")) {
      return v;
    }
    return new FeatureValues(
        v.kind(), v.values().stream().map(x -> (Object) ((Long) x & Long.MAX_VALUE)).toList());
  }
}
