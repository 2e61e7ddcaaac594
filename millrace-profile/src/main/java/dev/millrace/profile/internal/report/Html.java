package dev.millrace.profile.internal.report;

import java.util.Locale;

/** Escaping and number formatting for text placed into the page. */
public final class Html {
  private Html() {}

  /**
   * {@code text} as HTML character data or a quoted attribute value: the five characters with a
   * meaning in markup become references, and control characters that HTML forbids become U+FFFD, so
   * that any stage name or command line shows as the text it is.
   */
  public static String escape(String text) {
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> forbidden(c) ? "\uFFFD" : null;
          };
      if (replacement != null && sb == null) {
        sb = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (sb != null) {
        if (replacement != null) {
          sb.append(replacement);
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? text : sb.toString();
  }

  private static boolean forbidden(char c) {
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f);
  }

  /** A number with {@code decimals} decimals and thousands separators; a dash when not finite. */
  public static String number(double value, int decimals) {
    if (!Double.isFinite(value)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  /** A count with thousands separators. */
  public static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** A fraction in [0, 1] as a percentage, such as {@code 72.4%}; a dash when not finite. */
  public static String percent(double fraction) {
    return Double.isFinite(fraction) ? number(100 * fraction, 1) + "%" : "–";
  }

  /** A byte count in the largest unit that keeps it at least 1, such as {@code 12.5 MB}. */
  public static String bytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return number(value, 1) + " " + units[unit];
  }

  /** A duration in nanoseconds in the unit that reads best: ns, µs, ms or s. */
  public static String nanos(double nanos) {
    if (!Double.isFinite(nanos)) {
      return "–";
    }
    if (nanos < 1e3) {
      return number(nanos, 0) + " ns";
    }
    if (nanos < 1e6) {
      return number(nanos / 1e3, 2) + " µs";
    }
    if (nanos < 1e9) {
      return number(nanos / 1e6, 2) + " ms";
    }
    return number(nanos / 1e9, 2) + " s";
  }
}
