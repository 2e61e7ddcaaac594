package dev.millrace.graphdef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One step of a {@code --transforms} argument in TensorFlow's {@code transform_graph} syntax: a
 * name, optionally followed by parameters in parentheses, {@code name(key=value, key="a,b")}.
 * Transforms are separated by white space; parameters by commas and/or white space; a key may
 * repeat ({@code remove_nodes(op=Identity, op=CheckNumerics)}), and its values are kept in order.
 * An unquoted value is letters, digits and {@code _ - . /}; a quoted one is anything up to the
 * closing quote, with {@code \} escaping the next character.
 *
 * @param name the transform's name
 * @param params each key's values, keys in first-use order
 */
public record TransformSpec(String name, Map<String, List<String>> params) {
  public TransformSpec {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    params = Collections.unmodifiableMap(copy);
  }

  /** The values of {@code key}, empty when it is not given. */
  public List<String> values(String key) {
    return params.getOrDefault(key, List.of());
  }

  /** The single value of {@code key}, empty when not given; several values are an error. */
  public Optional<String> value(String key) {
    List<String> v = values(key);
    if (v.size() > 1) {
      throw new IllegalArgumentException(
          name + ": parameter '" + key + "' is given " + v.size() + " times, expected once");
    }
    return v.stream().findFirst();
  }

  /**
   * {@code ignore_errors=true|false} (default false), in any letter case, as TensorFlow reads it.
   */
  public boolean ignoreErrors() {
    Optional<String> v = value("ignore_errors");
    if (v.isEmpty()) {
      return false;
    }
    return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              name + ": ignore_errors should be true or false, found " + v.get());
    };
  }

  /**
   * The transforms of a whole {@code --transforms} argument, in order.
   *
   * @throws IllegalArgumentException naming the column where the text stops making sense
   */
  public static List<TransformSpec> parseAll(String text) {
    return new Parser(text).transforms();
  }

  @Override
  public String toString() {
    if (params.isEmpty()) {
      return name;
    }
    List<String> parts = new ArrayList<>();
    params.forEach((k, vs) -> vs.forEach(v -> parts.add(k + "=" + quoteIfNeeded(v))));
    return name + "(" + String.join(", ", parts) + ")";
  }

  private static String quoteIfNeeded(String v) {
    if (!v.isEmpty() && v.chars().allMatch(Parser::isBareValueChar)) {
      return v;
    }
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A hand-written scanner over the argument; positions in errors are 1-based columns. */
  private static final class Parser {
    private final String s;
    private int at;

    Parser(String s) {
      this.s = s;
    }

    List<TransformSpec> transforms() {
      List<TransformSpec> out = new ArrayList<>();
      skipSpace();
      while (at < s.length()) {
        String name = word("a transform name");
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (peek('(')) {
          at++;
          parameters(params);
        } else if (at < s.length() && !Character.isWhitespace(s.charAt(at))) {
          throw error("expected '(' or white space after transform '" + name + "'");
        }
        out.add(new TransformSpec(name, params));
        skipSpace();
      }
      return out;
    }

    private void parameters(Map<String, List<String>> params) {
      while (true) {
        skipSeparators();
        if (at >= s.length()) {
          throw error("expected ')' to close the parameters");
        }
        if (peek(')')) {
          at++;
          return;
        }
        String key = word("a parameter name");
        if (!peek('=')) {
          throw error("expected '=' after parameter '" + key + "'");
        }
        at++;
        String value = peek('"') ? quoted() : bare();
        params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
    }

    private String word(String what) {
      int start = at;
      while (at < s.length() && isWordChar(s.charAt(at))) {
        at++;
      }
      if (at == start) {
        throw error("expected " + what);
      }
      return s.substring(start, at);
    }

    private String bare() {
      int start = at;
      while (at < s.length() && isBareValueChar(s.charAt(at))) {
        at++;
      }
      if (at == start) {
        throw error("expected a value (letters, digits, _-./, or a quoted text)");
      }
      return s.substring(start, at);
    }

    private String quoted() {
      int open = at++;
      StringBuilder b = new StringBuilder();
      while (at < s.length()) {
        char c = s.charAt(at++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\' && at < s.length()) {
          c = s.charAt(at++);
        }
        b.append(c);
      }
      at = open;
      throw error("quoted value never closed");
    }

    private void skipSpace() {
      while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
        at++;
      }
    }

    private void skipSeparators() {
      while (at < s.length() && (Character.isWhitespace(s.charAt(at)) || s.charAt(at) == ',')) {
        at++;
      }
    }

    private boolean peek(char c) {
      return at < s.length() && s.charAt(at) == c;
    }

    private IllegalArgumentException error(String what) {
      String rest =
          at < s.length() ? "'" + s.substring(at, Math.min(s.length(), at + 20)) + "'" : "the end";
      return new IllegalArgumentException(
          "--transforms: " + what + " at column " + (at + 1) + ", found " + rest);
    }

    static boolean isWordChar(char c) {
      return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
    }

    static boolean isBareValueChar(int c) {
      return c == '_'
          || c == '-'
          || c == '.'
          || c == '/'
          || (c < 128 && Character.isLetterOrDigit(c));
    }
  }
}
