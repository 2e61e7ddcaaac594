package dev.millrace.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sizes such as {@code 100MiB}, {@code 64KiB}, {@code 1GB}, {@code 4096}. */
final class ByteSizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?)(b?)", Pattern.CASE_INSENSITIVE);

  @Override
  public Long convert(String text) {
    return parse(text);
  }

  static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a size (examples: 100MiB, 512KiB, 1GB, 4096)");
    }
    double number = Double.parseDouble(m.group(1));
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    boolean binary = !m.group(3).isEmpty() || unit.isEmpty();
    int power = "kmgt".indexOf(unit.isEmpty() ? ' ' : unit.charAt(0)) + 1;
    double bytes = number * Math.pow(binary ? 1024 : 1000, power);
    if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
      throw new TypeConversionException("size '" + text + "' is out of range");
    }
    return (long) bytes;
  }
}
