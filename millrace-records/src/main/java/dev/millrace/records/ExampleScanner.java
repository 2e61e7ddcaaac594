package dev.millrace.records;

import static dev.millrace.records.internal.ProtoReader.next;
import static dev.millrace.records.internal.ProtoReader.readLength;
import static dev.millrace.records.internal.ProtoReader.readTag;
import static dev.millrace.records.internal.ProtoReader.skipField;
import static dev.millrace.records.internal.ProtoReader.value;

import dev.millrace.records.internal.ProtoReader;
import dev.millrace.records.internal.Utf8;
import java.util.Objects;

/**
 * Walks serialized {@code tf.train.Example}s and {@code SequenceExample}s without building protobuf
 * objects, reporting each feature's name, kind and value count (and for bytes features the shortest
 * and longest value): what schema inference and {@code inspect} need.
 *
 * <p>Unlike {@link ExampleDecoder}, the scanner checks the whole message, unknown fields and the
 * values of every feature included, and rejects what protobuf would reject, with one exception:
 * feature names are not checked to be valid UTF-8 (proto3 parsers check; {@link SchemaCollector}
 * does so itself). Groups in unknown fields count against protobuf-java's recursion limit of 100
 * together with the messages around them, as protobuf-java counts them (they were counted alone
 * before fuzzing found the difference).
 *
 * <p>The visitor is called once per map entry in wire order, so a key that repeats is visited each
 * time (protobuf keeps the last); merging within an entry follows protobuf, as described for {@link
 * ExampleDecoder}. If the message turns out malformed, the visitor may already have seen the
 * features before the damage.
 */
public final class ExampleScanner {
  private static final int TAG_1_LEN = 1 << 3 | 2;
  private static final int TAG_2_LEN = 2 << 3 | 2;
  private static final int TAG_3_LEN = 3 << 3 | 2;
  private static final int TAG_1_VARINT = 1 << 3;
  private static final int TAG_1_FIXED32 = 1 << 3 | 5;

  // How deeply each message is nested, for protobuf's recursion limit on groups in unknown fields.
  private static final int TOP = 0;
  private static final int FEATURES = 1;
  private static final int ENTRY = 2;
  private static final int FEATURE_LIST = 3;
  private static final int CONTEXT_FEATURE = 3;
  private static final int STEP_FEATURE = 4;

  private final byte[] b;
  // The feature being scanned, merged as protobuf merges.
  private FeatureType type;
  private int count;
  private int minBytes;
  private int maxBytes;
  // The key found by keyOf (its second result: its offset is returned).
  private int keyLength;

  private ExampleScanner(byte[] b) {
    this.b = b;
  }

  /**
   * Scans the Example in {@code buf[off, off + len)}, calling {@code visitor} once per feature.
   *
   * @throws MalformedExampleException if the bytes are not a valid Example; the offset counts from
   *     {@code off}
   */
  public static void scan(byte[] buf, int off, int len, FeatureVisitor visitor)
      throws MalformedExampleException {
    Objects.checkFromIndexSize(off, len, buf.length);
    try {
      new ExampleScanner(buf).example(off, off + len, visitor);
    } catch (MalformedExampleException e) {
      throw ProtoReader.rebase(e, off);
    }
  }

  /**
   * Scans the SequenceExample in {@code buf[off, off + len)}: context features and feature lists in
   * wire order.
   *
   * @throws MalformedExampleException if the bytes are not a valid SequenceExample
   */
  public static void scanSequence(byte[] buf, int off, int len, SequenceVisitor visitor)
      throws MalformedExampleException {
    Objects.checkFromIndexSize(off, len, buf.length);
    try {
      new ExampleScanner(buf).sequence(off, off + len, visitor);
    } catch (MalformedExampleException e) {
      throw ProtoReader.rebase(e, off);
    }
  }

  // Each step below takes the position of the bytes it reads and returns the position after them.

  private void example(int p, int end, FeatureVisitor visitor) throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        p = features(next(n), next(n) + value(n), visitor);
      } else {
        p = skipField(b, p, end, tag, TOP);
      }
    }
  }

  private void sequence(int p, int end, SequenceVisitor visitor) throws MalformedExampleException {
    FeatureVisitor context = visitor::context;
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        p = features(next(n), next(n) + value(n), context);
      } else if (tag == TAG_2_LEN) {
        long n = readLength(b, p, end);
        p = featureLists(next(n), next(n) + value(n), visitor);
      } else {
        p = skipField(b, p, end, tag, TOP);
      }
    }
  }

  /** {@code Features}: map entries (field 1), anything else skipped. */
  private int features(int p, int end, FeatureVisitor visitor) throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag != TAG_1_LEN) {
        p = skipField(b, p, end, tag, FEATURES);
        continue;
      }
      long n = readLength(b, p, end);
      int entryEnd = next(n) + value(n);
      int keyAt = keyOf(next(n), entryEnd);
      int keyLen = keyLength;
      startFeature();
      for (int q = next(n); q < entryEnd; ) {
        long u = readTag(b, q, entryEnd);
        q = next(u);
        if (value(u) == TAG_2_LEN) {
          long m = readLength(b, q, entryEnd);
          q = next(m) + value(m);
          feature(next(m), q, CONTEXT_FEATURE);
        } else {
          q = skipField(b, q, entryEnd, value(u), ENTRY);
        }
      }
      visitor.feature(b, keyAt, keyLen, type, count, minBytesOrNone(), maxBytesOrNone());
      p = entryEnd;
    }
    return p;
  }

  /** {@code FeatureLists}: map entries of name to {@code FeatureList} (repeated Feature). */
  private int featureLists(int p, int end, SequenceVisitor visitor)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag != TAG_1_LEN) {
        p = skipField(b, p, end, tag, FEATURES);
        continue;
      }
      long n = readLength(b, p, end);
      int entryStart = next(n);
      int entryEnd = entryStart + value(n);
      int keyAt = keyOf(entryStart, entryEnd);
      int keyLen = keyLength;
      // First count the steps (repeated value fields of an entry merge: their steps add up).
      int steps = 0;
      for (int q = entryStart; q < entryEnd; ) {
        long u = readTag(b, q, entryEnd);
        q = next(u);
        if (value(u) == TAG_2_LEN) {
          long m = readLength(b, q, entryEnd);
          q = next(m) + value(m);
          steps += featureListSteps(next(m), q);
        } else {
          q = skipField(b, q, entryEnd, value(u), ENTRY);
        }
      }
      visitor.featureList(b, keyAt, keyLen, steps);
      int step = 0;
      for (int q = entryStart; q < entryEnd; ) {
        long u = readTag(b, q, entryEnd);
        q = next(u);
        if (value(u) == TAG_2_LEN) {
          long m = readLength(b, q, entryEnd);
          q = next(m) + value(m);
          step = featureListValues(next(m), q, step, visitor);
        } else {
          q = skipField(b, q, entryEnd, value(u), ENTRY);
        }
      }
      p = entryEnd;
    }
    return p;
  }

  private int featureListSteps(int p, int end) throws MalformedExampleException {
    int steps = 0;
    while (p < end) {
      long t = readTag(b, p, end);
      if (value(t) == TAG_1_LEN) {
        steps++;
      }
      p = skipField(b, next(t), end, value(t), FEATURE_LIST);
    }
    return steps;
  }

  private int featureListValues(int p, int end, int step, SequenceVisitor visitor)
      throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        long n = readLength(b, p, end);
        p = next(n) + value(n);
        startFeature();
        feature(next(n), p, STEP_FEATURE);
        visitor.step(step++, type, count, minBytesOrNone(), maxBytesOrNone());
      } else {
        p = skipField(b, p, end, tag, FEATURE_LIST);
      }
    }
    return step;
  }

  /**
   * Finds an entry's last key (field 1), validating the entry's fields on the way; returns the
   * key's offset and leaves its length in {@link #keyLength} (0 and the entry's start if none). A
   * key that a later one overrides is never reported, so it is checked to be UTF-8 here, as a
   * proto3 parser checks every occurrence; the reported key is left to the visitor.
   */
  private int keyOf(int start, int end) throws MalformedExampleException {
    int keyAt = start;
    keyLength = 0;
    boolean seenKey = false;
    for (int p = start; p < end; ) {
      long t = readTag(b, p, end);
      p = next(t);
      if (value(t) == TAG_1_LEN) {
        long n = readLength(b, p, end);
        if (seenKey && !Utf8.isValid(b, keyAt, keyLength)) {
          throw new MalformedExampleException(keyAt, "feature name is not valid UTF-8");
        }
        seenKey = true;
        keyAt = next(n);
        keyLength = value(n);
        p = keyAt + keyLength;
      } else {
        p = skipField(b, p, end, value(t), ENTRY);
      }
    }
    return keyAt;
  }

  private void startFeature() {
    type = FeatureType.NONE;
    count = 0;
    minBytes = Integer.MAX_VALUE;
    maxBytes = -1;
  }

  /**
   * One {@code Feature} message (or one more value field of the same map entry), nested {@code
   * depth} deep.
   */
  private void feature(int p, int end, int depth) throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      FeatureType kind =
          switch (tag) {
            case TAG_1_LEN -> FeatureType.BYTES;
            case TAG_2_LEN -> FeatureType.FLOAT;
            case TAG_3_LEN -> FeatureType.INT64;
            default -> null;
          };
      if (kind == null) {
        p = skipField(b, p, end, tag, depth);
        continue;
      }
      long n = readLength(b, p, end);
      if (kind != type) {
        // A different oneof member replaces the current one; the same one merges.
        startFeature();
        type = kind;
      }
      p = next(n) + value(n);
      list(kind, next(n), p, depth + 1);
    }
  }

  private void list(FeatureType kind, int p, int end, int depth) throws MalformedExampleException {
    while (p < end) {
      long t = readTag(b, p, end);
      int tag = value(t);
      p = next(t);
      if (tag == TAG_1_LEN) {
        int lengthAt = p;
        long n = readLength(b, p, end);
        int len = value(n);
        p = next(n);
        int valuesEnd = p + len;
        switch (kind) {
          case BYTES -> {
            count++;
            minBytes = Math.min(minBytes, len);
            maxBytes = Math.max(maxBytes, len);
          }
          case FLOAT -> {
            if ((len & 3) != 0) {
              throw new MalformedExampleException(
                  lengthAt, "packed float list of " + len + " bytes (not a multiple of 4)");
            }
            count += len >>> 2;
          }
          default -> {
            while (p < valuesEnd) {
              p = ProtoReader.varintEnd(b, p, valuesEnd);
              count++;
            }
          }
        }
        p = valuesEnd;
      } else if (tag == TAG_1_FIXED32 && kind == FeatureType.FLOAT) {
        ProtoReader.require(4, p, end, "float");
        p += 4;
        count++;
      } else if (tag == TAG_1_VARINT && kind == FeatureType.INT64) {
        p = ProtoReader.varintEnd(b, p, end);
        count++;
      } else {
        p = skipField(b, p, end, tag, depth);
      }
    }
  }

  private int minBytesOrNone() {
    return type == FeatureType.BYTES && count > 0 ? minBytes : -1;
  }

  private int maxBytesOrNone() {
    return type == FeatureType.BYTES && count > 0 ? maxBytes : -1;
  }
}
