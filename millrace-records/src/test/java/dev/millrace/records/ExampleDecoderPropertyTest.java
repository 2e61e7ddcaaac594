package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast decoder and the scanner against protobuf-java on random Examples written in every legal
 * encoding (see {@link RandomExamples}), on pools of distinct feature names (ASCII, Latin, CJK,
 * emoji and ""; see {@link RandomExamples#namePool}). Each case is numbered by its seed, from which
 * its names and Examples are derived, so a failing case replays from the seed in its name.
 */
class ExampleDecoderPropertyTest {
  static LongStream seeds() {
    return LongStream.range(0, 100);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void decoderAgreesWithProtobuf(long seed) throws Exception {
    Random rnd = new Random(seed);
    List<String> pool = RandomExamples.namePool(seed, rnd);
    List<String> requested = new ArrayList<>();
    for (String n : pool) {
      if (rnd.nextInt(4) != 0) {
        requested.add(n);
      }
    }
    requested.add(rnd.nextInt(requested.size() + 1), "never-in-the-pool-\u00e9");
    ExampleDecoder decoder = ExampleDecoder.of(requested);
    DecodedExample result = decoder.newResult();
    RandomExamples gen = new RandomExamples(seed, pool);
    for (int k = 0; k < 6; k++) {
      byte[] bytes = gen.example();
      Map<String, Feature> expected = Example.parseFrom(bytes).getFeatures().getFeatureMap();
      // Decode from the middle of a larger buffer, reusing one result for every Example.
      int off = rnd.nextInt(5);
      byte[] buf = new byte[off + bytes.length + rnd.nextInt(5)];
      rnd.nextBytes(buf);
      System.arraycopy(bytes, 0, buf, off, bytes.length);
      decoder.decode(buf, off, bytes.length, result);
      for (int i = 0; i < requested.size(); i++) {
        String name = requested.get(i);
        Feature f = expected.get(name);
        assertThat(result.present(i)).as("present(%s)", name).isEqualTo(f != null);
        FeatureValues want = f == null ? FeatureValues.ABSENT : FeatureValues.fromProto(f);
        assertThat(FeatureValues.fromDecoded(result, i)).as("feature %s", name).isEqualTo(want);
        for (int j = 0; j < result.count(i) && result.type(i) == FeatureType.BYTES; j++) {
          assertThat(result.bytesOffset(i, j) + result.bytesLength(i, j))
              .isLessThanOrEqualTo(off + bytes.length);
          assertThat(result.bytesOffset(i, j)).isGreaterThanOrEqualTo(off);
        }
      }
    }
  }

  record Seen(FeatureType type, int count, int minBytes, int maxBytes) {
    static Seen of(Feature f) {
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
      return new Seen(type, count, min, max);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void scannerAgreesWithProtobuf(long seed) throws Exception {
    List<String> pool = RandomExamples.namePool(seed, new Random(seed));
    RandomExamples gen = new RandomExamples(seed, pool);
    for (int k = 0; k < 6; k++) {
      byte[] bytes = gen.example();
      Map<String, Seen> expected = new LinkedHashMap<>();
      Example.parseFrom(bytes)
          .getFeatures()
          .getFeatureMap()
          .forEach((n, f) -> expected.put(n, Seen.of(f)));
      Map<String, Seen> seen = new LinkedHashMap<>();
      ExampleScanner.scan(
          bytes,
          0,
          bytes.length,
          (buf, nameOff, nameLen, type, count, min, max) ->
              seen.put(
                  new String(buf, nameOff, nameLen, StandardCharsets.UTF_8),
                  new Seen(type, count, min, max)));
      assertThat(seen).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void scannerRejectsExactlyWhatProtobufRejects(long seed) {
    // Damaged Examples: cut short, a byte flipped, or bytes spliced in.
    Random rnd = new Random(seed);
    List<String> pool = RandomExamples.namePool(seed, rnd);
    RandomExamples gen = new RandomExamples(seed, pool);
    for (int k = 0; k < 6; k++) {
      byte[] bytes = damage(gen.example(), rnd);
      boolean protobufAccepts;
      try {
        Example.parseFrom(bytes);
        protobufAccepts = true;
      } catch (InvalidProtocolBufferException e) {
        // protobuf-java also rejects invalid UTF-8 keys, which the scanner leaves to its callers
        protobufAccepts = e.getMessage().contains("UTF-8") && scans(bytes);
      }
      assertThat(scans(bytes))
          .as("scanner accepts %s", java.util.HexFormat.of().formatHex(bytes))
          .isEqualTo(protobufAccepts);
    }
  }

  static byte[] damage(byte[] bytes, Random rnd) {
    if (bytes.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int at = rnd.nextInt(bytes.length);
    return switch (rnd.nextInt(3)) {
      case 0 -> java.util.Arrays.copyOf(bytes, at);
      case 1 -> {
        byte[] b = bytes.clone();
        b[at] ^= (byte) (1 << rnd.nextInt(8));
        yield b;
      }
      default -> {
        byte[] junk = new byte[1 + rnd.nextInt(3)];
        rnd.nextBytes(junk);
        byte[] b = new byte[bytes.length + junk.length];
        System.arraycopy(bytes, 0, b, 0, at);
        System.arraycopy(junk, 0, b, at, junk.length);
        System.arraycopy(bytes, at, b, at + junk.length, bytes.length - at);
        yield b;
      }
    };
  }

  private static boolean scans(byte[] bytes) {
    try {
      ExampleScanner.scan(bytes, 0, bytes.length, (b, o, l, t, c, mn, mx) -> {});
      return true;
    } catch (MalformedExampleException e) {
      assertThat(e.offset()).isBetween(0, bytes.length);
      return false;
    }
  }
}
