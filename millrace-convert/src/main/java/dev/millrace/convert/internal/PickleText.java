package dev.millrace.convert.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decoders for the text forms that pickle protocol 0 uses: Python 2 {@code repr()} of a {@code str}
 * (for STRING) and {@code raw-unicode-escape} (for UNICODE). Each returns null when the text is
 * malformed; the unpickler turns that into an error that names the offset.
 */
final class PickleText {
  private PickleText() {}

  /** {@code 'ab\x00\n'} (or double-quoted) → its bytes, as Python 2's {@code string_escape}. */
  static byte[] unquote(byte[] b, int from, int to) {
    if (to - from < 2 || (b[from] != '\'' && b[from] != '"') || b[to - 1] != b[from]) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    int i = from + 1;
    int end = to - 1;
    while (i < end) {
      int c = b[i++] & 0xff;
      if (c != '\\' || i == end) {
        out.write(c);
        continue;
      }
      int e = b[i++] & 0xff;
      switch (e) {
        case 'n' -> out.write('\n');
        case 't' -> out.write('\t');
        case 'r' -> out.write('\r');
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 'f' -> out.write(12);
        case 'v' -> out.write(11);
        case '\\', '\'', '"' -> out.write(e);
        case 'x' -> {
          int hi = i < end ? Character.digit(b[i], 16) : -1;
          int lo = i + 1 < end ? Character.digit(b[i + 1], 16) : -1;
          if (hi < 0 || lo < 0) {
            return null;
          }
          out.write(hi << 4 | lo);
          i += 2;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && i < end && b[i] >= '0' && b[i] <= '7'; k++) {
              v = v * 8 + (b[i++] - '0');
            }
            out.write(v & 0xff);
          } else {
            // Python keeps an unknown escape as it is, backslash included.
            out.write('\\');
            out.write(e);
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** Latin-1 bytes with {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes → text. */
  static String rawUnicodeEscape(byte[] b, int from, int to) {
    StringBuilder s = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      int c = b[i] & 0xff;
      if (c == '\\' && i + 1 < to && (b[i + 1] == 'u' || b[i + 1] == 'U')) {
        int digits = b[i + 1] == 'u' ? 4 : 8;
        if (i + 2 + digits > to) {
          return null;
        }
        String hex = new String(b, i + 2, digits, StandardCharsets.ISO_8859_1);
        int cp;
        try {
          cp = (int) Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          return null;
        }
        if (!Character.isValidCodePoint(cp)) {
          return null;
        }
        s.appendCodePoint(cp);
        i += 2 + digits;
      } else {
        s.append((char) c);
        i++;
      }
    }
    return s.toString();
  }

  /** Python's {@code repr()} of a float, including {@code nan} and {@code inf}. */
  static Double parseFloat(String text) {
    return switch (text) {
      case "nan", "-nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          yield null;
        }
      }
    };
  }
}
