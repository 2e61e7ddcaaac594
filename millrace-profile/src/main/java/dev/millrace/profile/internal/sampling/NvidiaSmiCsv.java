package dev.millrace.profile.internal.sampling;

import dev.millrace.profile.GpuSample;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the answer to {@code nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,
 * memory.total --format=csv,noheader,nounits}: one line per GPU, fields separated by {@code ", "},
 * no quoting. Fields the driver cannot report read {@code [N/A]} or {@code [Not Supported]}
 * (sometimes without the brackets). A product name may hold commas, so the name is whatever lies
 * between the first field and the last three.
 */
public final class NvidiaSmiCsv {
  private NvidiaSmiCsv() {}

  /** The arguments that make {@code nvidia-smi} print what {@link #parse} reads. */
  public static final List<String> QUERY_ARGUMENTS =
      List.of(
          "--query-gpu=index,name,utilization.gpu,memory.used,memory.total",
          "--format=csv,noheader,nounits");

  /**
   * The GPUs of one answer.
   *
   * @throws IllegalArgumentException naming the line and field when the text is not such an answer
   *     (including an empty one)
   */
  public static List<GpuSample.Gpu> parse(String text) {
    List<GpuSample.Gpu> out = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.isEmpty()) {
        out.add(parseLine(line, i + 1));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("nvidia-smi printed no GPU line");
    }
    return out;
  }

  private static GpuSample.Gpu parseLine(String line, int number) {
    String[] f = line.split(",", -1);
    if (f.length < 5) {
      throw new IllegalArgumentException(
          "nvidia-smi line "
              + number
              + " has "
              + f.length
              + " field(s), expected 5 (index, name, utilization.gpu, memory.used, memory.total): \""
              + shorten(line)
              + "\"");
    }
    int n = f.length;
    String index = f[0].strip();
    String name = String.join(",", java.util.Arrays.copyOfRange(f, 1, n - 3)).strip();
    long idx = integer(index, "index", line, number);
    if (idx < 0 || idx > Integer.MAX_VALUE) {
      throw bad("index", index, line, number);
    }
    long util = integer(f[n - 3].strip(), "utilization.gpu", line, number);
    if (util > 100) {
      throw bad("utilization.gpu", f[n - 3].strip(), line, number);
    }
    return new GpuSample.Gpu(
        (int) idx,
        name,
        util < 0 ? Double.NaN : util / 100.0,
        integer(f[n - 2].strip(), "memory.used", line, number),
        integer(f[n - 1].strip(), "memory.total", line, number));
  }

  /** A non-negative integer, or -1 for a field the driver does not report. */
  private static long integer(String field, String what, String line, int number) {
    if (notReported(field)) {
      return -1;
    }
    try {
      long v = Long.parseLong(field);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // Reported below with the line.
    }
    throw bad(what, field, line, number);
  }

  private static boolean notReported(String field) {
    String f =
        field.startsWith("[") && field.endsWith("]")
            ? field.substring(1, field.length() - 1)
            : field;
    return f.equalsIgnoreCase("N/A")
        || f.equalsIgnoreCase("Not Supported")
        || f.equalsIgnoreCase("Unknown Error")
        || f.equalsIgnoreCase("Insufficient Permissions");
  }

  private static IllegalArgumentException bad(String what, String field, String line, int number) {
    return new IllegalArgumentException(
        "nvidia-smi line "
            + number
            + ": "
            + what
            + " is \""
            + shorten(field)
            + "\", expected a number: \""
            + shorten(line)
            + "\"");
  }

  private static String shorten(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
