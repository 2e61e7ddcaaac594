package dev.millrace.profile.internal.sampling;

/**
 * Parsers of the three Linux {@code /proc} files the utilisation sampler reads, as pure functions
 * of the files' text, so that they are tested on recorded contents. Each throws {@link
 * IllegalArgumentException} naming the file and what was wrong when the text does not have the
 * documented layout ({@code man 5 proc}).
 */
public final class ProcFiles {
  private ProcFiles() {}

  /**
   * The kernel's clock tick ({@code USER_HZ}) in which {@code /proc} reports CPU times: 100 on
   * every architecture the JVM runs Linux on (x86-64, aarch64, ppc64le, s390x, riscv64); only
   * retired ones (alpha, ia64) used 1024.
   */
  public static final long TICKS_PER_SECOND = 100;

  /** CPU time of one process, in clock ticks. */
  public record ProcessTicks(long userTicks, long systemTicks) {
    public long totalTicks() {
      return userTicks + systemTicks;
    }
  }

  /** CPU time of the whole machine since boot, all CPUs summed, in clock ticks. */
  public record MachineTicks(long busyTicks, long idleTicks) {
    public long totalTicks() {
      return busyTicks + idleTicks;
    }
  }

  /**
   * Read counters of one process: {@code readBytes} from storage (what reached the block layer) and
   * {@code readChars} through read calls, page-cache hits included.
   */
  public record IoCounters(long readBytes, long readChars) {}

  /**
   * {@code utime} and {@code stime} (fields 14 and 15) of {@code /proc/<pid>/stat}. The command
   * name (field 2) is in parentheses and may itself hold spaces and parentheses, so fields are
   * counted from the last closing parenthesis.
   */
  public static ProcessTicks parseProcessStat(String text) {
    int close = text.lastIndexOf(')');
    if (close < 0 || text.indexOf('(') < 0 || text.indexOf('(') > close) {
      throw new IllegalArgumentException("/proc/self/stat: no (command name) in " + quoted(text));
    }
    String[] f = text.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    if (f.length < 13) {
      throw new IllegalArgumentException(
          "/proc/self/stat: " + (f.length + 2) + " fields, expected at least 15: " + quoted(text));
    }
    return new ProcessTicks(
        number("/proc/self/stat", "utime", f[11]), number("/proc/self/stat", "stime", f[12]));
  }

  /**
   * The aggregate {@code cpu} line of {@code /proc/stat}: user, nice, system, idle, iowait, irq,
   * softirq, steal, guest, guest_nice (older kernels print fewer). Idle is idle + iowait; busy is
   * the rest up to steal. Guest time is left out because the kernel already counts it in user and
   * nice.
   */
  public static MachineTicks parseMachineStat(String text) {
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (!f[0].equals("cpu")) {
        continue;
      }
      if (f.length < 5) {
        throw new IllegalArgumentException(
            "/proc/stat: the cpu line has "
                + (f.length - 1)
                + " values, expected at least 4: "
                + quoted(line));
      }
      long busy = 0;
      long idle = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        long v = number("/proc/stat", "cpu value " + i, f[i]);
        if (i == 4 || i == 5) {
          idle += v;
        } else {
          busy += v;
        }
      }
      return new MachineTicks(busy, idle);
    }
    throw new IllegalArgumentException("/proc/stat: no aggregate cpu line in " + quoted(text));
  }

  /** {@code read_bytes} and {@code rchar} of {@code /proc/<pid>/io}. */
  public static IoCounters parseIo(String text) {
    long readBytes = -1;
    long readChars = -1;
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      if (key.equals("read_bytes")) {
        readBytes = number("/proc/self/io", key, line.substring(colon + 1).trim());
      } else if (key.equals("rchar")) {
        readChars = number("/proc/self/io", key, line.substring(colon + 1).trim());
      }
    }
    if (readBytes < 0 || readChars < 0) {
      throw new IllegalArgumentException(
          "/proc/self/io: expected rchar and read_bytes lines in " + quoted(text));
    }
    return new IoCounters(readBytes, readChars);
  }

  private static long number(String file, String field, String text) {
    try {
      long v = Long.parseLong(text);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          file + ": " + field + " is " + quoted(text) + ", expected a non-negative integer");
    }
  }

  private static String quoted(String text) {
    String t = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return "\"" + t.strip() + "\"";
  }
}
