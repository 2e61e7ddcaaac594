package dev.millrace.convert.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickles opcode by opcode, the way Python 2's cPickle writes them with protocol 2: what
 * {@link dev.millrace.convert.SampleData} uses to make a format-exact CIFAR-10 archive, and what
 * tests use to make pickles good and bad. Each method appends one opcode (or numpy's fixed sequence
 * for an array); {@link #memoize()} stores the top of the stack under the next memo index, as
 * cPickle does after most objects.
 */
public final class PickleWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private int nextMemo = 1;

  /** {@code PROTO 2}, the header cPickle writes for protocol 2. */
  public PickleWriter proto2() {
    return op(0x80).raw(2);
  }

  public PickleWriter stop() {
    return op('.');
  }

  public PickleWriter mark() {
    return op('(');
  }

  public PickleWriter none() {
    return op('N');
  }

  public PickleWriter bool(boolean v) {
    return op(v ? 0x88 : 0x89);
  }

  /** An int, in the shortest binary form: BININT1, BININT2, BININT or LONG1. */
  public PickleWriter integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K').raw((int) v);
    }
    if (v >= 0 && v < 65536) {
      return op('M').raw((int) v & 0xff).raw((int) (v >>> 8));
    }
    if (v == (int) v) {
      return op('J').int32((int) v);
    }
    byte[] be = BigInteger.valueOf(v).toByteArray();
    op(0x8a).raw(be.length);
    for (int i = be.length - 1; i >= 0; i--) {
      raw(be[i] & 0xff);
    }
    return this;
  }

  public PickleWriter binfloat(double v) {
    op('G');
    long bits = Double.doubleToLongBits(v);
    for (int shift = 56; shift >= 0; shift -= 8) {
      raw((int) (bits >>> shift) & 0xff);
    }
    return this;
  }

  /** A Python 2 {@code str}: SHORT_BINSTRING up to 255 bytes, else BINSTRING. */
  public PickleWriter str(byte[] b) {
    if (b.length < 256) {
      op('U').raw(b.length);
    } else {
      op('T').int32(b.length);
    }
    out.write(b, 0, b.length);
    return this;
  }

  /** A Python 2 {@code str} of Latin-1 text. */
  public PickleWriter str(String latin1) {
    return str(latin1.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A {@code unicode} (BINUNICODE). */
  public PickleWriter unicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X').int32(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  // ---- the opcodes Python 3 adds (protocols 3 to 5) ----

  /** {@code PROTO v}, for any version, future ones included. */
  public PickleWriter proto(int version) {
    return op(0x80).raw(version);
  }

  /** {@code FRAME n}: the next {@code n} bytes hold whole opcodes. */
  public PickleWriter frame(long n) {
    return op(0x95).int64(n);
  }

  /** A Python 3 {@code str}: SHORT_BINUNICODE up to 255 UTF-8 bytes, else BINUNICODE. */
  public PickleWriter text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length >= 256) {
      return unicode(s);
    }
    op(0x8c).raw(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  /** A {@code str} as BINUNICODE8, which Python writes only past 4 GiB. */
  public PickleWriter unicode8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op(0x8d).int64(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  /** A Python 3 {@code bytes}: SHORT_BINBYTES up to 255 bytes, else BINBYTES. */
  public PickleWriter bytes(byte[] b) {
    if (b.length < 256) {
      op('C').raw(b.length);
    } else {
      op('B').int32(b.length);
    }
    out.write(b, 0, b.length);
    return this;
  }

  /** A {@code bytes} as BINBYTES8, which Python writes only past 4 GiB. */
  public PickleWriter bytes8(byte[] b) {
    op(0x8e).int64(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  /** A {@code bytearray} (BYTEARRAY8), as protocol 5 writes a writable array's data. */
  public PickleWriter bytearray8(byte[] b) {
    op(0x96).int64(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  /** STACK_GLOBAL: the global named by the module and name texts on the stack. */
  public PickleWriter stackGlobal() {
    return op(0x93);
  }

  /** MEMOIZE: stores the top of the stack under the memo's size, as protocol 4 does. */
  public PickleWriter memoizeTop() {
    return op(0x94);
  }

  /** An 8-byte little-endian value, for lengths that lie. */
  public PickleWriter int64(long v) {
    for (int shift = 0; shift < 64; shift += 8) {
      raw((int) (v >>> shift) & 0xff);
    }
    return this;
  }

  public PickleWriter global(String module, String name) {
    op('c');
    byte[] text = (module + "\n" + name + "\n").getBytes(StandardCharsets.ISO_8859_1);
    out.write(text, 0, text.length);
    return this;
  }

  public PickleWriter emptyDict() {
    return op('}');
  }

  public PickleWriter emptyList() {
    return op(']');
  }

  /** TUPLE1, TUPLE2 or TUPLE3 of the top values, EMPTY_TUPLE for 0, else TUPLE from the mark. */
  public PickleWriter tuple(int n) {
    return switch (n) {
      case 0 -> op(')');
      case 1 -> op(0x85);
      case 2 -> op(0x86);
      case 3 -> op(0x87);
      default -> op('t');
    };
  }

  public PickleWriter append() {
    return op('a');
  }

  public PickleWriter setitem() {
    return op('s');
  }

  public PickleWriter appends() {
    return op('e');
  }

  public PickleWriter setitems() {
    return op('u');
  }

  public PickleWriter reduce() {
    return op('R');
  }

  public PickleWriter build() {
    return op('b');
  }

  /** Stores the top of the stack under the next memo index (BINPUT, or LONG_BINPUT past 255). */
  public PickleWriter memoize() {
    int index = nextMemo++;
    return index < 256 ? op('q').raw(index) : op('r').int32(index);
  }

  /** Pushes a memoized value again (BINGET, or LONG_BINGET past 255). */
  public PickleWriter memoGet(int index) {
    return index < 256 ? op('h').raw(index) : op('j').int32(index);
  }

  /**
   * A C-ordered uint8 numpy array, byte for byte as numpy 1.x under Python 2 pickles one: {@code
   * _reconstruct(ndarray, (0,), 'b')}, then BUILD with {@code (1, shape, dtype('u1', 0, 1), False,
   * data)}.
   */
  public PickleWriter uint8Array(int[] shape, byte[] data) {
    global("numpy.core.multiarray", "_reconstruct").memoize();
    global("numpy", "ndarray").memoize();
    integer(0).tuple(1).str("b").tuple(3).reduce().memoize();
    mark().integer(1);
    if (shape.length > 3) {
      mark();
    }
    for (int d : shape) {
      integer(d);
    }
    tuple(shape.length);
    global("numpy", "dtype").memoize();
    str("u1").integer(0).integer(1).tuple(3).reduce().memoize();
    mark().integer(3).str("|").none().none().none().integer(-1).integer(-1).integer(0);
    tuple(8).build();
    bool(false).str(data);
    return tuple(5).build();
  }

  /** Any single byte, for pickles that are wrong on purpose. */
  public PickleWriter raw(int b) {
    out.write(b);
    return this;
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private PickleWriter op(int code) {
    out.write(code);
    return this;
  }

  private PickleWriter int32(int v) {
    return raw(v & 0xff).raw((v >>> 8) & 0xff).raw((v >>> 16) & 0xff).raw(v >>> 24);
  }
}
