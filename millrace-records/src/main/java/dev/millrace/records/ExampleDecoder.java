package dev.millrace.records;

import static dev.millrace.records.internal.ProtoReader.next;
import static dev.millrace.records.internal.ProtoReader.readLength;
import static dev.millrace.records.internal.ProtoReader.readTag;
import static dev.millrace.records.internal.ProtoReader.skipField;
import static dev.millrace.records.internal.ProtoReader.value;

import dev.millrace.records.internal.ByteNameTable;
import dev.millrace.records.internal.ProtoReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Extracts named features straight from serialized {@code tf.train.Example} bytes, without building
 * protobuf objects: the input pipeline's hot path, in the manner of TensorFlow's fast {@code
 * ParseExample}.
 *
 * <pre>{@code
 * ExampleDecoder decoder = ExampleDecoder.of("image", "label");   // once per spec
 * DecodedExample ex = decoder.newResult();                         // once per thread
 * while (reader.next()) {
 *   decoder.decode(reader.array(), reader.offset(), reader.length(), ex);
 *   long label = ex.int64(1, 0);
 *   int pixels = ex.bytesOffset(0, 0);                              // into reader.array()
 * }
 * }</pre>
 *
 * <p>Semantics are protobuf's: map entries in any order and with their key and value fields in any
 * order; a repeated key replaces the earlier entry (the last one wins); several value fields in one
 * entry, or several occurrences of the same list in one {@code Feature}, are merged (values
 * appended), while a different list kind replaces the current one (the oneof rule of the protobuf
 * language guide and the C++ parser; protobuf-java's builder instead keeps the earlier values of a
 * member that comes back after another, an edge case no writer produces); repeated float and int64
 * values are accepted packed and unpacked, even mixed in one list; negative int64 values are
 * 10-byte varints, whose tenth byte gives bit 63 by its lowest bit and whose higher bits are
 * dropped, as in protobuf's C++ parser and protobuf-java's general path (protobuf-java's fast path
 * sets bit 63 for any ten-byte varint instead; the two differ only on a tenth byte other than 1,
 * which no writer produces; found by fuzzing against protobuf-java); unknown fields of any wire
 * type are skipped at every level, groups among them nested no deeper than protobuf-java's
 * recursion limit of 100 allows with the messages around them counted (as protobuf-java counts; the
 * groups alone were counted before fuzzing found the difference). A {@code Feature} with no kind
 * set reads as {@link FeatureType#NONE} with 0 values.
 *
 * <p>Cost: keys are compared with the requested names as UTF-8 bytes (length and bytes for up to 8
 * names, through a hash table beyond), so no {@code String} is made per Example; entries of
 * features not requested are skipped by their length without looking inside (so, like TensorFlow's
 * fast parser and unlike protobuf, damage inside them goes unnoticed); after a warm-up in which the
 * result's arrays grow to the largest lists seen, decoding allocates nothing.
 *
 * <p>Immutable and thread-safe; the {@link DecodedExample} results are not.
 */
public final class ExampleDecoder {
  private static final int TAG_1_LEN = 1 << 3 | 2;
  private static final int TAG_2_LEN = 2 << 3 | 2;
  private static final int TAG_3_LEN = 3 << 3 | 2;
  private static final int TAG_1_VARINT = 1 << 3;
  private static final int TAG_1_FIXED32 = 1 << 3 | 5;

  // How deeply each message is nested, for protobuf's recursion limit on groups in unknown fields.
  private static final int EXAMPLE = 0;
  private static final int FEATURES = 1;
  private static final int ENTRY = 2;
  private static final int FEATURE = 3;
  private static final int LIST = 4;

  private final List<String> names;
  private final ByteNameTable table;

  private ExampleDecoder(List<String> names, ByteNameTable table) {
    this.names = names;
    this.table = table;
  }

  /**
   * A decoder for the features named, in this order: feature {@code i} of every result is {@code
   * featureNames.get(i)}.
   *
   * @throws IllegalArgumentException if a name repeats
   */
  public static ExampleDecoder of(List<String> featureNames) {
    List<String> names = List.copyOf(featureNames);
    ByteNameTable table = new ByteNameTable();
    for (String name : names) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      if (table.find(utf8, 0, utf8.length) >= 0) {
        throw new IllegalArgumentException("feature '" + name + "' is requested twice in " + names);
      }
      table.add(utf8);
    }
    return new ExampleDecoder(names, table);
  }

  /** A decoder for the features named, in this order. */
  public static ExampleDecoder of(String... featureNames) {
    return of(List.of(featureNames));
  }

  /** The requested names, in index order. */
  public List<String> featureNames() {
    return names;
  }

  /** Number of requested features. */
  public int size() {
    return names.size();
  }

  /** The index of {@code name}, or -1 if it was not requested. */
  public int indexOf(String name) {
    return names.indexOf(name);
  }

  /** A result to decode into, reused Example after Example; one per thread. */
  public DecodedExample newResult() {
    return new DecodedExample(this);
  }

  /** Decodes all of {@code buf}; see {@link #decode(byte[], int, int, DecodedExample)}. */
  public void decode(byte[] buf, DecodedExample into) throws MalformedExampleException {
    decode(buf, 0, buf.length, into);
  }

  /**
   * Decodes the serialized Example in {@code buf[off, off + len)} into {@code into}, replacing what
   * it held. Requested features the Example lacks read as absent with 0 values.
   *
   * @throws MalformedExampleException if the bytes break the wire format; its offset counts from
   *     {@code off}. {@code into} then holds a partial result.
   * @throws IllegalArgumentException if {@code into} was made by another decoder
   */
  public void decode(byte[] buf, int off, int len, DecodedExample into)
      throws MalformedExampleException {
    Objects.checkFromIndexSize(off, len, buf.length);
    if (into.decoder != this) {
      throw new IllegalArgumentException(
          "result was made by another decoder (of "
              + into.decoder.names
              + "); use this decoder's newResult()");
    }
    into.begin(buf);
    try {
      example(buf, off, off + len, into);
    } catch (MalformedExampleException e) {
      throw ProtoReader.rebase(e, off);
    }
  }

  // Each step below takes the position of the bytes it reads and returns the position after them.

  private void example(byte[] b, int p, int end, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        // Example.features; a repeated occurrence merges into the same map.
        long n = readLength(b, p, end);
        p = features(b, next(n), next(n) + value(n), into);
      } else {
        p = skipField(b, p, end, tag, EXAMPLE);
      }
    }
  }

  private int features(byte[] b, int p, int end, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        p = next(n) + value(n);
        entry(b, next(n), p, into);
      } else {
        p = skipField(b, p, end, tag, FEATURES);
      }
    }
    return p;
  }

  /**
   * One map entry. The key may follow the value, so a first pass finds the (last) key and a second
   * pass decodes the value(s) only if the key was requested.
   */
  private void entry(byte[] b, int start, int end, DecodedExample into)
      throws MalformedExampleException {
    int keyOff = start;
    int keyLen = 0;
    int p = start;
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        keyOff = next(n);
        keyLen = value(n);
        p = keyOff + keyLen;
      } else {
        p = skipField(b, p, end, tag, ENTRY);
      }
    }
    int i = table.find(b, keyOff, keyLen);
    if (i < 0) {
      return;
    }
    into.startFeature(i);
    p = start;
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_2_LEN) {
        long n = readLength(b, p, end);
        p = next(n) + value(n);
        feature(b, next(n), p, i, into);
      } else {
        p = skipField(b, p, end, tag, ENTRY);
      }
    }
  }

  private static void feature(byte[] b, int p, int end, int i, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN || tag == TAG_2_LEN || tag == TAG_3_LEN) {
        long n = readLength(b, p, end);
        int from = next(n);
        p = from + value(n);
        switch (tag) {
          case TAG_1_LEN -> {
            into.kind(i, FeatureType.BYTES);
            bytesList(b, from, p, i, into);
          }
          case TAG_2_LEN -> {
            into.kind(i, FeatureType.FLOAT);
            floatList(b, from, p, i, into);
          }
          default -> {
            into.kind(i, FeatureType.INT64);
            int64List(b, from, p, i, into);
          }
        }
      } else {
        p = skipField(b, p, end, tag, FEATURE);
      }
    }
  }

  private static void bytesList(byte[] b, int p, int end, int i, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        into.addBytes(i, next(n), value(n));
        p = next(n) + value(n);
      } else {
        p = skipField(b, p, end, tag, LIST);
      }
    }
  }

  private static void floatList(byte[] b, int p, int end, int i, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        int lengthAt = p;
        long n = readLength(b, p, end);
        int bytes = value(n);
        p = next(n);
        if ((bytes & 3) != 0) {
          throw new MalformedExampleException(
              lengthAt, "packed float list of " + bytes + " bytes (not a multiple of 4)");
        }
        int values = bytes >>> 2;
        float[] dst = into.reserveFloats(i, values);
        int c = into.count[i];
        for (int k = 0; k < values; k++, p += 4) {
          dst[c + k] = ProtoReader.floatAt(b, p);
        }
        into.count[i] = c + values;
      } else if (tag == TAG_1_FIXED32) {
        ProtoReader.require(4, p, end, "float");
        into.addFloat(i, ProtoReader.floatAt(b, p));
        p += 4;
      } else {
        p = skipField(b, p, end, tag, LIST);
      }
    }
  }

  private static void int64List(byte[] b, int p, int end, int i, DecodedExample into)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        p = next(n);
        int packedEnd = p + value(n);
        // Each varint ends in exactly one byte below 0x80: counting them sizes the array exactly
        // (a malformed tail fails in varintEnd before it could overrun).
        long[] dst = into.reserveInt64s(i, varintEnds(b, p, packedEnd));
        int c = into.count[i];
        while (p < packedEnd) {
          byte x = b[p];
          if (x >= 0) {
            dst[c++] = x;
            p++;
          } else {
            int q = ProtoReader.varintEnd(b, p, packedEnd);
            dst[c++] = ProtoReader.varintAt(b, p);
            p = q;
          }
        }
        into.count[i] = c;
      } else if (tag == TAG_1_VARINT) {
        int q = ProtoReader.varintEnd(b, p, end);
        into.addInt64(i, ProtoReader.varintAt(b, p));
        p = q;
      } else {
        p = skipField(b, p, end, tag, LIST);
      }
    }
  }

  private static int varintEnds(byte[] buf, int from, int to) {
    int n = 0;
    for (int p = from; p < to; p++) {
      n += (~buf[p] >>> 31) & 1;
    }
    return n;
  }
}
