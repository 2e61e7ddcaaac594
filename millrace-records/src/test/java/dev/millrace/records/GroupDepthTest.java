package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.SequenceExample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nested groups in unknown fields, at every level of an Example and a SequenceExample, around
 * protobuf-java's recursion limit: the decoder and the scanner accept exactly the depths that
 * protobuf-java accepts. (Found by the decoder's fuzz test, on a seed of its corpus: the limit used
 * to count from the group's own field, so groups 99 deep inside a {@code Feature} passed, where
 * protobuf-java, which counts the four messages around them too, refuses them.)
 */
class GroupDepthTest {
  private static final byte[] BYTES_LIST = ld(1, ld(1, "cat".getBytes(StandardCharsets.UTF_8)));

  enum Level {
    EXAMPLE(false, g -> cat(g, ld(1, entry(BYTES_LIST)))),
    FEATURES(false, g -> ld(1, cat(g, entry(BYTES_LIST)))),
    ENTRY(false, g -> ld(1, ld(1, cat(ld(1, key()), g, ld(2, BYTES_LIST))))),
    FEATURE(false, g -> ld(1, entry(cat(g, BYTES_LIST)))),
    LIST(false, g -> ld(1, entry(ld(1, cat(g, ld(1, key())))))),
    SEQUENCE_CONTEXT_LIST(true, g -> ld(1, entry(ld(1, cat(g, ld(1, key())))))),
    FEATURE_LISTS(true, g -> ld(2, cat(g, listEntry(ld(1, BYTES_LIST))))),
    FEATURE_LIST(true, g -> ld(2, listEntry(cat(g, ld(1, BYTES_LIST))))),
    STEP(true, g -> ld(2, listEntry(ld(1, cat(g, BYTES_LIST))))),
    STEP_LIST(true, g -> ld(2, listEntry(ld(1, ld(1, cat(g, ld(1, key())))))));

    final boolean sequence;
    final Function<byte[], byte[]> message;

    Level(boolean sequence, Function<byte[], byte[]> message) {
      this.sequence = sequence;
      this.message = message;
    }
  }

  static Stream<Arguments> levelsAndDepths() {
    return Stream.of(Level.values())
        .flatMap(l -> IntStream.rangeClosed(94, 101).mapToObj(d -> Arguments.of(l, d)));
  }

  @ParameterizedTest(name = "{0} depth {1}")
  @MethodSource("levelsAndDepths")
  void fastReadersAcceptTheGroupDepthsProtobufAccepts(Level level, int depth) {
    byte[] bytes = level.message.apply(groups(depth));
    boolean protobuf = protobufAccepts(bytes, level.sequence);
    assertThat(scans(bytes, level.sequence)).as("scanner").isEqualTo(protobuf);
    if (!level.sequence) {
      assertThat(decodes(bytes)).as("decoder").isEqualTo(protobuf);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("levels")
  void theBoundaryIsInTheRangeTried(Level level) {
    assertThat(protobufAccepts(level.message.apply(groups(94)), level.sequence)).isTrue();
    assertThat(protobufAccepts(level.message.apply(groups(101)), level.sequence)).isFalse();
  }

  static Stream<Level> levels() {
    return Stream.of(Level.values());
  }

  private static boolean protobufAccepts(byte[] bytes, boolean sequence) {
    try {
      if (sequence) {
        SequenceExample.parseFrom(bytes);
      } else {
        Example.parseFrom(bytes);
      }
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static boolean scans(byte[] bytes, boolean sequence) {
    try {
      if (sequence) {
        ExampleScanner.scanSequence(bytes, 0, bytes.length, new NoSequenceVisitor());
      } else {
        ExampleScanner.scan(bytes, 0, bytes.length, (b, o, l, t, c, mn, mx) -> {});
      }
      return true;
    } catch (MalformedExampleException e) {
      assertThat(e.problem()).contains("nested more than 100 deep");
      return false;
    }
  }

  private static boolean decodes(byte[] bytes) {
    ExampleDecoder decoder = ExampleDecoder.of("k");
    try {
      decoder.decode(bytes, decoder.newResult());
      return true;
    } catch (MalformedExampleException e) {
      assertThat(e.problem()).contains("nested more than 100 deep");
      return false;
    }
  }

  /** An unknown field 15 holding {@code depth} nested groups. */
  private static byte[] groups(int depth) {
    byte[] b = new byte[2 * depth];
    for (int i = 0; i < depth; i++) {
      b[i] = (byte) (15 << 3 | 3);
      b[depth + i] = (byte) (15 << 3 | 4);
    }
    return b;
  }

  private static byte[] key() {
    return "k".getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] entry(byte[] feature) {
    return ld(1, cat(ld(1, key()), ld(2, feature)));
  }

  private static byte[] listEntry(byte[] featureList) {
    return ld(1, cat(ld(1, key()), ld(2, featureList)));
  }

  private static byte[] ld(int field, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(field << 3 | 2);
    for (long n = payload.length; ; n >>>= 7) {
      if (n < 0x80) {
        out.write((int) n);
        break;
      }
      out.write((int) (n & 0x7f | 0x80));
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static final class NoSequenceVisitor implements SequenceVisitor {
    @Override
    public void context(byte[] b, int o, int l, FeatureType t, int c, int mn, int mx) {}

    @Override
    public void featureList(byte[] b, int o, int l, int steps) {}

    @Override
    public void step(int step, FeatureType t, int c, int mn, int mx) {}
  }
}
