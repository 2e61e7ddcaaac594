package dev.millrace.records;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * Serialized Examples written field by field with {@link CodedOutputStream}, in every legal way
 * protobuf's own serializer never uses: packed and unpacked (and mixed) lists, map entries with the
 * key after the value or missing, repeated keys, several value fields per entry, several {@code
 * features} fields, and unknown fields of every wire type (groups included, and known field numbers
 * with the wrong wire type) inserted at every level. Protobuf's parser is the oracle for what such
 * bytes mean.
 *
 * <p>One pattern is left out on purpose: within a single {@code Feature} message, a list kind that
 * comes back after another kind (A, B, A). Protobuf-java's builder keeps A's earlier values there,
 * unlike the language guide and the C++ parser; {@link ExampleDecoderTest} covers it.
 */
final class RandomExamples {
  private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

  private final Random rnd;
  private final List<String> names;

  RandomExamples(long seed, List<String> names) {
    this.rnd = new Random(seed);
    this.names = names;
  }

  /** Names that are awkward as keys: empty, an emoji (a surrogate pair), a slash, a NUL. */
  static final List<String> SPECIAL_NAMES =
      List.of("", "\ud83d\ude00", "image/encoded", "größe_日本語", "a\u0000b");

  /**
   * A pool of 1 to 6 distinct feature names, each ASCII (control characters included, up to 10
   * characters, possibly empty), Latin and CJK (1 to 8 characters) or one of {@link
   * #SPECIAL_NAMES}. Case 0 is the special names themselves and case 1 the empty name alone; the
   * others are drawn from {@code rnd}.
   */
  static List<String> namePool(long seed, Random rnd) {
    if (seed == 0) {
      return SPECIAL_NAMES;
    }
    if (seed == 1) {
      return List.of("");
    }
    int size = rnd.nextInt(1, 7);
    LinkedHashSet<String> pool = new LinkedHashSet<>();
    while (pool.size() < size) {
      pool.add(
          switch (rnd.nextInt(3)) {
            case 0 -> chars(rnd, rnd.nextInt(0, 11), 0, 128);
            case 1 -> latinOrCjk(rnd, rnd.nextInt(1, 9));
            default -> SPECIAL_NAMES.get(rnd.nextInt(SPECIAL_NAMES.size()));
          });
    }
    return List.copyOf(pool);
  }

  private static String chars(Random rnd, int length, int from, int to) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append((char) rnd.nextInt(from, to));
    }
    return b.toString();
  }

  /** Characters from a-z, U+00C0-U+024F and U+4E00-U+4E2F. */
  private static String latinOrCjk(Random rnd, int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(
          switch (rnd.nextInt(3)) {
            case 0 -> (char) rnd.nextInt('a', 'z' + 1);
            case 1 -> (char) rnd.nextInt('\u00c0', '\u024f' + 1);
            default -> (char) rnd.nextInt('\u4e00', '\u4e2f' + 1);
          });
    }
    return b.toString();
  }

  /** A random serialized Example whose keys come from the name pool. */
  byte[] example() {
    return message(
        out -> {
          int fields = rnd.nextInt(10) < 8 ? 1 : rnd.nextInt(3);
          for (int f = 0; f < fields; f++) {
            maybeUnknown(out, 1, 0);
            writeBytes(out, 1, features());
          }
          maybeUnknown(out, 1, 0);
        });
  }

  private byte[] features() {
    return message(
        out -> {
          int entries = rnd.nextInt(7);
          for (int e = 0; e < entries; e++) {
            maybeUnknown(out, 1, 0);
            writeBytes(out, 1, entry());
          }
        });
  }

  private byte[] entry() {
    return message(
        out -> {
          List<Runnable> parts = new ArrayList<>();
          if (rnd.nextInt(12) != 0) {
            String key = names.get(rnd.nextInt(names.size()));
            parts.add(() -> writeBytes(out, 1, key.getBytes(StandardCharsets.UTF_8)));
          }
          int values = rnd.nextInt(10) == 0 ? rnd.nextInt(3) : 1;
          for (int v = 0; v < values; v++) {
            parts.add(() -> writeBytes(out, 2, feature()));
          }
          if (rnd.nextInt(4) == 0) {
            parts.add(() -> unknown(out, 2, 0));
          }
          if (rnd.nextInt(12) == 0) {
            // A second key field: the last one on the wire is the key.
            String other = names.get(rnd.nextInt(names.size()));
            parts.add(() -> writeBytes(out, 1, other.getBytes(StandardCharsets.UTF_8)));
          }
          if (rnd.nextInt(3) == 0) {
            Collections.shuffle(parts, rnd);
          }
          parts.forEach(Runnable::run);
        });
  }

  private byte[] feature() {
    return message(
        out -> {
          int last = rnd.nextInt(4); // 0 = no kind, else field number of the final kind
          if (last != 0 && rnd.nextInt(5) == 0) {
            // Earlier members of the oneof that the final one replaces.
            for (int k = rnd.nextInt(3); k >= 0; k--) {
              int other = 1 + rnd.nextInt(3);
              if (other != last) {
                writeBytes(out, other, list(other));
              }
              maybeUnknown(out, 3, 0);
            }
          }
          if (last != 0) {
            int runs = rnd.nextInt(6) == 0 ? 2 : 1;
            for (int k = 0; k < runs; k++) {
              maybeUnknown(out, 3, 0);
              writeBytes(out, last, list(last));
            }
          }
          maybeUnknown(out, 3, 0);
        });
  }

  /** A BytesList (1), FloatList (2) or Int64List (3). */
  private byte[] list(int kind) {
    return message(
        out -> {
          int n = rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(rnd.nextInt(10) == 0 ? 300 : 6);
          int i = 0;
          while (i < n) {
            maybeWrongWireType(out, kind);
            int chunk = 1 + rnd.nextInt(n - i);
            boolean packed = rnd.nextBoolean();
            switch (kind) {
              case 1 -> {
                for (int k = 0; k < chunk; k++) {
                  writeBytes(out, 1, randomBytes());
                }
              }
              case 2 -> {
                if (packed) {
                  ByteArrayOutputStream raw = new ByteArrayOutputStream();
                  for (int k = 0; k < chunk; k++) {
                    int bits = floatBits();
                    for (int s = 0; s < 32; s += 8) {
                      raw.write(bits >>> s);
                    }
                  }
                  writeBytes(out, 1, raw.toByteArray());
                } else {
                  for (int k = 0; k < chunk; k++) {
                    io(() -> out.writeFixed32(1, floatBits()));
                  }
                }
              }
              default -> {
                if (packed) {
                  byte[] packedBytes =
                      message(
                          p -> {
                            for (int k = 0; k < chunk; k++) {
                              long v = int64();
                              io(() -> p.writeInt64NoTag(v));
                            }
                          });
                  writeBytes(out, 1, packedBytes);
                } else {
                  for (int k = 0; k < chunk; k++) {
                    long v = int64();
                    io(() -> out.writeInt64(1, v));
                  }
                }
              }
            }
            i += chunk;
          }
          if (n == 0 && rnd.nextBoolean()) {
            // An empty packed run is legal too.
            if (kind != 1) {
              writeBytes(out, 1, new byte[0]);
            }
          }
          maybeUnknown(out, 1, 0);
        });
  }

  private int floatBits() {
    return switch (rnd.nextInt(8)) {
      case 0 -> 0x7fc00000; // NaN
      case 1 -> 0x80000000; // -0
      case 2 -> 1; // smallest subnormal
      case 3 -> 0xff800000; // -Inf
      default -> Float.floatToRawIntBits((float) rnd.nextGaussian() * 100);
    };
  }

  private long int64() {
    return switch (rnd.nextInt(8)) {
      case 0 -> Long.MIN_VALUE;
      case 1 -> Long.MAX_VALUE;
      case 2 -> -1 - rnd.nextInt(1000);
      case 3 -> rnd.nextLong();
      default -> rnd.nextInt(300);
    };
  }

  private byte[] randomBytes() {
    byte[] b = new byte[rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(rnd.nextInt(20) == 0 ? 2000 : 12)];
    rnd.nextBytes(b);
    return b;
  }

  /**
   * Field 1 of a list with a wire type its parser does not expect: protobuf skips it as unknown.
   */
  private void maybeWrongWireType(CodedOutputStream out, int kind) {
    if (rnd.nextInt(15) != 0) {
      return;
    }
    switch (kind) {
      case 1 -> io(() -> out.writeUInt64(1, rnd.nextLong()));
      case 2 -> io(() -> out.writeFixed64(1, rnd.nextLong()));
      default -> io(() -> out.writeFixed32(1, rnd.nextInt()));
    }
  }

  private void maybeUnknown(CodedOutputStream out, int highestKnown, int depth) {
    if (rnd.nextInt(6) == 0) {
      unknown(out, highestKnown, depth);
    }
  }

  /** An unknown field of any wire type, numbered above the known ones. */
  private void unknown(CodedOutputStream out, int highestKnown, int depth) {
    int number =
        rnd.nextInt(10) == 0
            ? MAX_FIELD_NUMBER - rnd.nextInt(3)
            : highestKnown + 1 + rnd.nextInt(40);
    switch (rnd.nextInt(depth < 2 ? 6 : 5)) {
      case 0 -> io(() -> out.writeUInt64(number, rnd.nextLong()));
      case 1 -> io(() -> out.writeFixed64(number, rnd.nextLong()));
      case 2 -> io(() -> out.writeFixed32(number, rnd.nextInt()));
      case 3 -> writeBytes(out, number, randomBytes());
      case 4 -> io(() -> out.writeInt32(number, -rnd.nextInt(5)));
      default -> {
        io(() -> out.writeTag(number, WireFormat.WIRETYPE_START_GROUP));
        for (int k = rnd.nextInt(3); k > 0; k--) {
          unknown(out, 0, depth + 1);
        }
        io(() -> out.writeTag(number, WireFormat.WIRETYPE_END_GROUP));
      }
    }
  }

  // --- plumbing ---

  interface Body {
    void write(CodedOutputStream out);
  }

  interface IoAction {
    void run() throws IOException;
  }

  static byte[] message(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    body.write(out);
    io(out::flush);
    return bytes.toByteArray();
  }

  static void writeBytes(CodedOutputStream out, int field, byte[] content) {
    io(
        () -> {
          out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(content.length);
          out.writeRawBytes(content);
        });
  }

  static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
