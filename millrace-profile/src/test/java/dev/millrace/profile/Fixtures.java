package dev.millrace.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Recorded files the tests read: {@code /proc} snapshots and {@code nvidia-smi} answers. */
public final class Fixtures {
  private Fixtures() {}

  /** The fixture {@code name} (a file or folder under this package's test resources). */
  public static Path path(String name) {
    try {
      var url = Fixtures.class.getResource(name);
      if (url == null) {
        throw new IllegalArgumentException("no test fixture " + name);
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String text(String name) {
    try {
      return Files.readString(path(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
