package dev.millrace.graphdef;

/**
 * The naming rules of GraphDef inputs: {@code node} is output 0 of {@code node}, {@code node:k} its
 * output k, and {@code ^node} a control input (run {@code node} first, use no value).
 */
public final class GraphNames {
  private GraphNames() {}

  /**
   * The node an input names: {@code conv1} for {@code conv1}, {@code conv1:1} and {@code ^conv1}.
   */
  public static String nodeOf(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.lastIndexOf(':');
    if (colon > 0 && isDigits(s, colon + 1)) {
      return s.substring(0, colon);
    }
    return s;
  }

  /** The output index an input names: 0 for {@code node}, k for {@code node:k}, -1 for control. */
  public static int outputOf(String input) {
    if (input.startsWith("^")) {
      return -1;
    }
    int colon = input.lastIndexOf(':');
    if (colon > 0 && isDigits(input, colon + 1)) {
      try {
        return Integer.parseInt(input.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("input '" + input + "': output index out of range");
      }
    }
    return 0;
  }

  /**
   * {@code input} read from node {@code node} instead: the same output, or a control input again.
   */
  public static String withNode(String input, String node) {
    if (isControl(input)) {
      return "^" + node;
    }
    int k = outputOf(input);
    return k == 0 ? node : node + ":" + k;
  }

  /** Whether an input is a control input ({@code ^node}). */
  public static boolean isControl(String input) {
    return input.startsWith("^");
  }

  private static boolean isDigits(String s, int from) {
    if (from >= s.length()) {
      return false;
    }
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code text} with its control characters written as escapes (a backslash and {@code n}, {@code
   * r}, {@code t}, or {@code u} and four hex digits): names in a GraphDef are any bytes, and an
   * error message must stay one line.
   */
  public static String printable(String text) {
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != 0x7f) {
        if (b != null) {
          b.append(c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b == null ? text : b.toString();
  }
}
