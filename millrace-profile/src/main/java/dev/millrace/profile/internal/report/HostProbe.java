package dev.millrace.profile.internal.report;

import dev.millrace.profile.ReportData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Describes the machine this JVM runs on, for the report's heading. */
public final class HostProbe {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  private HostProbe() {}

  /** This machine, as {@link ReportData.Host#current()} describes it. */
  public static ReportData.Host current() {
    String arch = System.getProperty("os.arch", "unknown");
    String details =
        String.format(
            Locale.ROOT,
            "%s %s (%s), Java %s, max heap %.1f GiB",
            System.getProperty("os.name", "unknown OS"),
            System.getProperty("os.version", ""),
            arch,
            Runtime.version(),
            Runtime.getRuntime().maxMemory() / (double) (1L << 30));
    return new ReportData.Host(
        cpuModel().orElse(arch), Runtime.getRuntime().availableProcessors(), details);
  }

  /** Linux names the processor in {@code /proc/cpuinfo}; other systems give no model here. */
  private static Optional<String> cpuModel() {
    if (!Files.isReadable(CPUINFO)) {
      return Optional.empty();
    }
    try {
      return modelName(Files.readAllLines(CPUINFO));
    } catch (IOException | UncheckedIOException e) {
      // A report without the CPU model is still a report.
      return Optional.empty();
    }
  }

  /** The first {@code model name} line (x86) or {@code Model}/{@code Hardware} line (ARM). */
  static Optional<String> modelName(List<String> cpuinfo) {
    for (String key : List.of("model name", "Model", "Hardware")) {
      for (String line : cpuinfo) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
          String value = line.substring(colon + 1).strip();
          if (!value.isEmpty()) {
            return Optional.of(value);
          }
        }
      }
    }
    return Optional.empty();
  }
}
