package dev.millrace.records.internal;

import dev.millrace.records.MalformedExampleException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads protobuf wire-format bytes for decoders that walk {@code tf.train.Example}s without
 * building messages. Every read is bounded by an explicit limit (the end of the enclosing message),
 * so a length that claims more bytes than its parent holds is caught where it occurs.
 *
 * <p>Static methods over {@code (buffer, position, limit)}; a read that yields a value and a new
 * position returns both packed in a {@code long} ({@link #value}, {@link #next}), so that the
 * decoders keep their positions in locals and nothing is allocated or stored per read. Errors are
 * {@link MalformedExampleException}s whose offset is the absolute buffer position; public entry
 * points rebase it ({@link #rebase}).
 *
 * <p>Matches protobuf-java's parser on what it accepts: varints of at most 10 bytes (the tenth may
 * carry any 7 bits), lengths read as 32-bit varints, field number 0 and wire types 6 and 7
 * rejected, groups (wire types 3 and 4) skipped when balanced and nested no deeper than
 * protobuf-java's recursion limit allows (see {@link #skipField}).
 */
public final class ProtoReader {
  /**
   * Protobuf-java's default recursion limit: messages and groups nested in one another count alike,
   * so a group inside a message that is itself nested {@code d} deep may hold {@code 100 - d}
   * levels of groups.
   */
  private static final int MAX_DEPTH = 100;

  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private ProtoReader() {}

  /** The value half of a packed read result. */
  public static int value(long result) {
    return (int) (result >>> 32);
  }

  /** The position half of a packed read result: where the next read starts. */
  public static int next(long result) {
    return (int) result;
  }

  private static long pack(int value, int next) {
    return ((long) value << 32) | (next & 0xffffffffL);
  }

  // Each read has a tiny fast path for the common one- or two-byte case, which the JIT inlines
  // into the decoder's loops, and an out-of-line general path.

  /** Reads a field tag at {@code p}; field number 0 is an error, as in protobuf-java. */
  public static long readTag(byte[] b, int p, int limit) throws MalformedExampleException {
    if (p < limit) {
      int t = b[p];
      if (t >= 8) { // one byte, field number > 0
        return pack(t, p + 1);
      }
    }
    return readTagSlow(b, p, limit);
  }

  private static long readTagSlow(byte[] b, int p, int limit) throws MalformedExampleException {
    int end = varintEnd(b, p, limit);
    int tag = (int) varintAt(b, p);
    if ((tag >>> 3) == 0) {
      throw new MalformedExampleException(
          p, "invalid tag " + Integer.toUnsignedString(tag) + " (field number 0)");
    }
    return pack(tag, end);
  }

  /**
   * Reads the length of a length-delimited field at {@code p} and checks that its bytes fit before
   * {@code limit}; the position returned is the first byte of the field's content.
   */
  public static long readLength(byte[] b, int p, int limit) throws MalformedExampleException {
    // Lengths of one or two bytes (up to 16 KiB) cover nearly every field of an Example.
    if (limit - p >= 2) {
      int n = b[p];
      int q;
      if (n >= 0) {
        q = p + 1;
      } else {
        int b1 = b[p + 1];
        if (b1 < 0) {
          return readLengthSlow(b, p, limit);
        }
        n = (n & 0x7f) | (b1 << 7);
        q = p + 2;
      }
      if (n <= limit - q) {
        return pack(n, q);
      }
    }
    return readLengthSlow(b, p, limit);
  }

  private static long readLengthSlow(byte[] b, int p, int limit) throws MalformedExampleException {
    int q = varintEnd(b, p, limit);
    // protobuf-java reads lengths as 32-bit varints, dropping higher bits.
    int n = (int) varintAt(b, p);
    if (n < 0) {
      throw new MalformedExampleException(p, "negative length " + n);
    }
    if (n > limit - q) {
      throw new MalformedExampleException(
          p, "length " + n + " runs past the end of its message (" + (limit - q) + " bytes left)");
    }
    return pack(n, q);
  }

  /**
   * Where the varint at {@code p} ends (the position after its last byte), checking that it ends
   * before {@code limit} within 10 bytes.
   */
  public static int varintEnd(byte[] b, int p, int limit) throws MalformedExampleException {
    if (p < limit && b[p] >= 0) {
      return p + 1;
    }
    for (int q = p, max = Math.min(limit, p + 10); q < max; q++) {
      if (b[q] >= 0) {
        return q + 1;
      }
    }
    if (limit - p >= 10) {
      throw new MalformedExampleException(p, "malformed varint (more than 10 bytes)");
    }
    throw new MalformedExampleException(
        p, "truncated varint (" + (limit - p) + " bytes, message ends)");
  }

  /** The value of a varint at {@code p} already checked by {@link #varintEnd}. */
  public static long varintAt(byte[] b, int p) {
    long x = b[p];
    if (x >= 0) {
      return x;
    }
    long result = x & 0x7f;
    for (int shift = 7; ; shift += 7) {
      x = b[++p];
      result |= (x & 0x7f) << shift;
      if (x >= 0) {
        return result;
      }
    }
  }

  /** A little-endian float at {@code p} (bounds already checked by the caller). */
  public static float floatAt(byte[] b, int p) {
    return (float) FLOAT_LE.get(b, p);
  }

  /** Checks that {@code n} more bytes fit before {@code limit}. */
  public static void require(int n, int p, int limit, String what)
      throws MalformedExampleException {
    if (limit - p < n) {
      throw new MalformedExampleException(
          p, "truncated " + what + " (" + (limit - p) + " of " + n + " bytes)");
    }
  }

  /**
   * Skips the value of a field whose tag was just read (the value starts at {@code p}), whatever
   * its wire type; returns the position after it.
   *
   * @param depth how deeply the message that holds the field is nested: 0 for the message decoded
   *     ({@code Example}), 1 for its fields' messages ({@code Features}), and so on. Groups in the
   *     field count on from there, as protobuf-java counts them against its recursion limit.
   */
  public static int skipField(byte[] b, int p, int limit, int tag, int depth)
      throws MalformedExampleException {
    if ((tag & 7) == 2) {
      // Length-delimited fields (keys, values of features not requested) are the common case.
      long r = readLength(b, p, limit);
      return next(r) + value(r);
    }
    return skipValue(b, p, limit, tag, depth);
  }

  private static int skipValue(byte[] b, int p, int limit, int tag, int depth)
      throws MalformedExampleException {
    return switch (tag & 7) {
      case 0 -> varintEnd(b, p, limit);
      case 1 -> {
        require(8, p, limit, "fixed64 field");
        yield p + 8;
      }
      case 2 -> {
        long r = readLength(b, p, limit);
        yield next(r) + value(r);
      }
      case 3 -> skipGroup(b, p, limit, tag >>> 3, depth + 1);
      case 4 ->
          throw new MalformedExampleException(
              p - 1, "end-group tag of field " + (tag >>> 3) + " without a start");
      case 5 -> {
        require(4, p, limit, "fixed32 field");
        yield p + 4;
      }
      default ->
          throw new MalformedExampleException(
              p - 1, "invalid wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")");
    };
  }

  private static int skipGroup(byte[] b, int p, int limit, int fieldNumber, int depth)
      throws MalformedExampleException {
    if (depth > MAX_DEPTH) {
      throw new MalformedExampleException(
          p, "groups and messages nested more than " + MAX_DEPTH + " deep (protobuf's limit)");
    }
    while (true) {
      if (p >= limit) {
        throw new MalformedExampleException(p, "truncated group (field " + fieldNumber + ")");
      }
      long t = readTag(b, p, limit);
      int tag = value(t);
      p = next(t);
      if ((tag & 7) == 4) {
        if ((tag >>> 3) != fieldNumber) {
          throw new MalformedExampleException(
              p - 1,
              "end-group tag of field " + (tag >>> 3) + " closes a group of field " + fieldNumber);
        }
        return p;
      }
      p = skipValue(b, p, limit, tag, depth);
    }
  }

  /** The same error with its offset counted from {@code base} instead of the buffer's start. */
  public static MalformedExampleException rebase(MalformedExampleException e, int base) {
    if (base == 0) {
      return e;
    }
    MalformedExampleException moved = new MalformedExampleException(e.offset() - base, e.problem());
    moved.setStackTrace(e.getStackTrace());
    return moved;
  }
}
