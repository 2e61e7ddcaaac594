package dev.millrace.convert.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Python 2 {@code str} or Python 3 {@code bytes} from a pickle: bytes, not text. A read-only view
 * into the pickle's buffer, so that a 30 MB array payload is not copied until it is used; equal
 * (and hashed) by content, so that it works as a dict key.
 */
public final class PyBytes {
  private final byte[] buf;
  private final int offset;
  private final int length;

  PyBytes(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
  }

  /** The bytes of a Latin-1 string (Python 2 source literals in our tests and checks). */
  public static PyBytes latin1(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return new PyBytes(b, 0, b.length);
  }

  /**
   * The bytes of text whose every character is below 256, as Python 3's {@code _codecs.encode(text,
   * 'latin1')} makes them; null if a character is beyond Latin-1.
   */
  static PyBytes fromLatin1Text(String s) {
    byte[] b = new byte[s.length()];
    for (int i = 0; i < b.length; i++) {
      char c = s.charAt(i);
      if (c > 0xff) {
        return null;
      }
      b[i] = (byte) c;
    }
    return new PyBytes(b, 0, b.length);
  }

  public int length() {
    return length;
  }

  /** The byte at {@code i}, 0 to 255. */
  public int byteAt(int i) {
    return buf[offset + Objects.checkIndex(i, length)] & 0xff;
  }

  public byte[] toByteArray() {
    return Arrays.copyOfRange(buf, offset, offset + length);
  }

  /** The bytes decoded as UTF-8, without copying them first. */
  public String utf8() {
    return new String(buf, offset, length, StandardCharsets.UTF_8);
  }

  /** The bytes read as Latin-1, which maps each byte to one char. */
  public String latin1() {
    return new String(buf, offset, length, StandardCharsets.ISO_8859_1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PyBytes b
        && Arrays.equals(buf, offset, offset + length, b.buf, b.offset, b.offset + b.length);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + buf[i];
    }
    return h;
  }

  @Override
  public String toString() {
    return length <= 64 ? "b'" + latin1() + "'" : "<" + length + " bytes>";
  }
}
