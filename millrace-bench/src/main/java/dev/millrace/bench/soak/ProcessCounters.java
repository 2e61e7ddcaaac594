package dev.millrace.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a leak would make grow, read from a process's {@code /proc/<pid>} folder: resident memory
 * ({@code VmRSS} of {@code status}), threads ({@code Threads} of {@code status}) and open file
 * handles (entries of {@code fd}, which count sockets and pipes as well as files).
 */
public record ProcessCounters(long rssBytes, int threads, int openFiles) {

  /** Reads the counters of the process whose {@code /proc} folder is {@code procPid}. */
  public static ProcessCounters read(Path procPid) throws IOException {
    String status =
        new String(Files.readAllBytes(procPid.resolve("status")), StandardCharsets.ISO_8859_1);
    return new ProcessCounters(
        rssBytes(status, procPid), threads(status, procPid), countEntries(procPid.resolve("fd")));
  }

  /** {@code VmRSS} of a {@code status} text, in bytes (the kernel writes it in kB). */
  static long rssBytes(String status, Path where) throws IOException {
    String value = field(status, "VmRSS", where);
    if (!value.endsWith(" kB")) {
      throw new IOException(where.resolve("status") + ": VmRSS is not in kB: '" + value + "'");
    }
    return parse(value.substring(0, value.length() - 3).trim(), where) * 1024;
  }

  /** {@code Threads} of a {@code status} text. */
  static int threads(String status, Path where) throws IOException {
    return Math.toIntExact(parse(field(status, "Threads", where), where));
  }

  private static String field(String status, String name, Path where) throws IOException {
    for (String line : status.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    throw new IOException(where.resolve("status") + " has no " + name + " line");
  }

  private static long parse(String number, Path where) throws IOException {
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      throw new IOException(where.resolve("status") + ": not a number: '" + number + "'");
    }
  }

  private static int countEntries(Path dir) throws IOException {
    int n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path ignored : entries) {
        n++;
      }
    }
    return n;
  }
}
