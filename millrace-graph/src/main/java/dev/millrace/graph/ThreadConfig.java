package dev.millrace.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sizes of a session's two thread pools: inter-op (independent operations run concurrently) and
 * intra-op (one kernel splits its work). Following TensorFlow's performance guide, both default to
 * the number of physical cores: hyper-threads share a core's vector units, so counting them
 * over-subscribes the FMA pipes.
 *
 * @param interOpThreads threads running independent operations, at least 1
 * @param intraOpThreads threads one kernel may split its work over, at least 1
 */
public record ThreadConfig(int interOpThreads, int intraOpThreads) {
  /** Environment variable overriding the inter-op thread count of {@link #physicalCores()}. */
  public static final String INTER_OP_ENV = "MILLRACE_INTER_OP_THREADS";

  /** Environment variable overriding the intra-op thread count of {@link #physicalCores()}. */
  public static final String INTRA_OP_ENV = "MILLRACE_INTRA_OP_THREADS";

  /**
   * System property overriding the inter-op thread count of {@link #physicalCores()}; it wins over
   * the environment (the command line's {@code --inter-op-threads} sets it).
   */
  public static final String INTER_OP_PROPERTY = "millrace.interOpThreads";

  /** System property overriding the intra-op thread count (set by {@code --intra-op-threads}). */
  public static final String INTRA_OP_PROPERTY = "millrace.intraOpThreads";

  public ThreadConfig {
    if (interOpThreads < 1 || intraOpThreads < 1) {
      throw new IllegalArgumentException(
          "thread counts must be >= 1, got inter-op "
              + interOpThreads
              + ", intra-op "
              + intraOpThreads);
    }
  }

  public static ThreadConfig of(int interOpThreads, int intraOpThreads) {
    return new ThreadConfig(interOpThreads, intraOpThreads);
  }

  /**
   * Both pools sized to the machine's physical cores, unless the system properties {@value
   * #INTER_OP_PROPERTY} / {@value #INTRA_OP_PROPERTY} or the environment variables {@code
   * MILLRACE_INTER_OP_THREADS} / {@code MILLRACE_INTRA_OP_THREADS} say otherwise (in that order).
   */
  public static ThreadConfig physicalCores() {
    Map<String, String> settings = new java.util.HashMap<>(System.getenv());
    propertyOver(settings, INTER_OP_PROPERTY, INTER_OP_ENV);
    propertyOver(settings, INTRA_OP_PROPERTY, INTRA_OP_ENV);
    return fromEnvironment(settings, detectPhysicalCores());
  }

  private static void propertyOver(Map<String, String> settings, String property, String env) {
    String value = System.getProperty(property);
    if (value != null && !value.isBlank()) {
      settings.put(env, value);
    }
  }

  static ThreadConfig fromEnvironment(Map<String, String> env, int cores) {
    return new ThreadConfig(count(env, INTER_OP_ENV, cores), count(env, INTRA_OP_ENV, cores));
  }

  private static int count(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(name + "=" + v + " (expected a positive integer)");
  }

  /**
   * The number of physical cores: distinct (physical id, core id) pairs of {@code /proc/cpuinfo} on
   * Linux, capped by the processors this JVM may use; {@code availableProcessors()} elsewhere.
   */
  public static int detectPhysicalCores() {
    int available = Runtime.getRuntime().availableProcessors();
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        int cores = parsePhysicalCores(Files.readString(cpuinfo));
        if (cores > 0) {
          return Math.min(cores, available);
        }
      } catch (IOException | RuntimeException e) {
        // Unreadable or unusual format: fall back to the processor count.
      }
    }
    return available;
  }

  /** Distinct (physical id, core id) pairs in {@code /proc/cpuinfo} text; 0 if it has none. */
  static int parsePhysicalCores(String cpuinfo) {
    Set<String> cores = new HashSet<>();
    String physical = null;
    String core = null;
    for (String line : (cpuinfo + "\n\n").split("\n", -1)) {
      if (line.isBlank()) {
        if (physical != null && core != null) {
          cores.add(physical + ":" + core);
        }
        physical = null;
        core = null;
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("physical id")) {
        physical = value;
      } else if (key.equals("core id")) {
        core = value;
      }
    }
    return cores.size();
  }
}
