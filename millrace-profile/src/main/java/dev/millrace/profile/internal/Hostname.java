package dev.millrace.profile.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The machine's name as TensorFlow puts it in event file names ({@code gethostname(2)}). */
public final class Hostname {
  /** What TensorFlow's {@code port::Hostname()} answers when the system call fails. */
  static final String FALLBACK = "localhost";

  private static final Path LINUX_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private Hostname() {}

  /**
   * The local machine's name, file-name safe. Sources are tried from exact and cheap to slow: the
   * kernel's name on Linux (what {@code gethostname} returns), {@code COMPUTERNAME} on Windows,
   * {@code HOSTNAME}, then a resolver lookup (which may wait on DNS, so it comes last).
   */
  public static String local() {
    String name = linuxName();
    if (name.isEmpty()) {
      name = fromEnvironment(System.getenv());
    }
    if (name.isEmpty()) {
      name = resolverName();
    }
    return sanitize(name);
  }

  /** {@code COMPUTERNAME}, else {@code HOSTNAME}, else empty. */
  static String fromEnvironment(Map<String, String> env) {
    for (String key : new String[] {"COMPUTERNAME", "HOSTNAME"}) {
      String value = env.get(key);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return "";
  }

  /**
   * Keeps the name usable as the last part of a file name: path separators and control characters
   * become {@code _}; an empty name becomes {@value #FALLBACK}.
   */
  public static String sanitize(String name) {
    StringBuilder out = new StringBuilder(name.length());
    name.strip()
        .codePoints()
        .forEach(
            c -> {
              boolean unsafe = c == '/' || c == '\\' || c == ':' || Character.isISOControl(c);
              out.appendCodePoint(unsafe || Character.isWhitespace(c) ? '_' : c);
            });
    return out.isEmpty() ? FALLBACK : out.toString();
  }

  private static String linuxName() {
    try {
      return Files.isReadable(LINUX_HOSTNAME)
          ? Files.readString(LINUX_HOSTNAME, StandardCharsets.UTF_8).strip()
          : "";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String resolverName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
