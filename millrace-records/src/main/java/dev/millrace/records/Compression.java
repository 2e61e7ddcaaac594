package dev.millrace.records;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How a TFRecord file is compressed, as TensorFlow's {@code compression_type}. Compression wraps
 * the whole record stream (one GZIP or zlib stream around the plain framing), never single records.
 */
public enum Compression {
  NONE(""),
  GZIP(".gz"),
  ZLIB(".zlib");

  private final String suffix;

  Compression(String suffix) {
    this.suffix = suffix;
  }

  /**
   * The file-name suffix that marks this compression ({@code ""}, {@code ".gz"}, {@code ".zlib"}).
   */
  public String suffix() {
    return suffix;
  }

  /**
   * Detects compression from a file name: {@code .gz} is GZIP, {@code .zlib} is ZLIB, else none.
   */
  public static Compression fromFileName(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz") || name.endsWith(".gzip")) {
      return GZIP;
    }
    if (name.endsWith(".zlib") || name.endsWith(".zz")) {
      return ZLIB;
    }
    return NONE;
  }

  /**
   * Parses a user's spelling, case-insensitively: {@code none}, {@code gzip}, {@code zlib} (and
   * TensorFlow's empty string for none).
   */
  public static Compression parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (t.isEmpty()) {
      return NONE;
    }
    for (Compression c : values()) {
      if (c.name().equals(t)) {
        return c;
      }
    }
    // No cause attached: tools that print the innermost cause would show valueOf's message.
    throw new IllegalArgumentException(
        "unknown compression '" + text + "' (expected: none, gzip or zlib)");
  }
}
