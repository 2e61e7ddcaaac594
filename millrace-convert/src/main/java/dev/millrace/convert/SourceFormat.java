package dev.millrace.convert;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of input {@link Converters} understands, with the names the command line uses. */
public enum SourceFormat {
  /** MNIST-style IDX files ({@code *-images-idx3-ubyte[.gz]} plus matching labels). */
  IDX("idx"),
  /** {@code cifar-10-python.tar.gz} as distributed: pickled batches. */
  CIFAR10("cifar10"),
  /** {@code cifar-10-binary.tar.gz} as distributed: fixed-size binary records. */
  CIFAR10_BIN("cifar10-bin"),
  /** A folder with one sub-folder of JPEG/PNG files per class. */
  IMAGES("images");

  private final String cliName;

  SourceFormat(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line ({@code idx}, {@code cifar10}, …). */
  public String cliName() {
    return cliName;
  }

  /**
   * Parses a command-line name, ignoring case and accepting {@code _} for {@code -}.
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
   */
  public static SourceFormat parse(String cliName) {
    String wanted = cliName.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (SourceFormat f : values()) {
      if (f.cliName.equals(wanted)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown source format '" + cliName + "' (expected one of: " + validNames() + ")");
  }

  private static String validNames() {
    return Arrays.stream(values()).map(SourceFormat::cliName).collect(Collectors.joining(", "));
  }
}
