package dev.millrace.bench.nn;

import dev.millrace.graph.RunStats;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.tensor.DataFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a built-in model's training step goes: milliseconds per step by op type, summed over the
 * step's kernels, after a warm-up long enough for C2 to compile the hot kernels.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp millrace-bench/target/benchmarks.jar \
 *     dev.millrace.bench.nn.StepBreakdown fashion-cnn NHWC 128 2 [warmup-steps] [steps] [op-type]
 * </pre>
 *
 * <p>Naming an op type as the last argument lists that type's nodes one by one.
 */
public final class StepBreakdown {
  private StepBreakdown() {}

  public static void main(String[] args) {
    BuiltinModel kind = BuiltinModel.parse(arg(args, 0, "fashion-cnn"));
    DataFormat format = DataFormat.valueOf(arg(args, 1, "NHWC"));
    int batch = Integer.parseInt(arg(args, 2, "128"));
    int threads = Integer.parseInt(arg(args, 3, "2"));
    int warmup = Integer.parseInt(arg(args, 4, "30"));
    int measured = Integer.parseInt(arg(args, 5, "20"));
    String byNode = arg(args, 6, "");
    try (TrainingSteps steps = new TrainingSteps(kind, format, batch, threads)) {
      for (int i = 0; i < warmup; i++) {
        steps.step();
      }
      Map<String, long[]> byType = new TreeMap<>();
      long wall = 0;
      for (int i = 0; i < measured; i++) {
        RunStats stats = steps.step().stats();
        wall += stats.wallNanos();
        for (RunStats.OpStat op : stats.ops()) {
          String key = op.type().equals(byNode) ? op.type() + " " + op.name() : op.type();
          long[] t = byType.computeIfAbsent(key, k -> new long[2]);
          t[0] += op.durationNanos();
          t[1]++;
        }
      }
      print(kind, format, batch, threads, measured, wall, byType);
    }
  }

  private static void print(
      BuiltinModel kind,
      DataFormat format,
      int batch,
      int threads,
      int measured,
      long wall,
      Map<String, long[]> byType) {
    double stepMs = wall / 1e6 / measured;
    System.out.printf(
        Locale.ROOT,
        "%s %s batch %d, %d threads: %.1f ms per step (%.0f images/s)%n",
        kind.cliName(),
        format,
        batch,
        threads,
        stepMs,
        batch * 1000 / stepMs);
    printOps(byType, measured, 1e6, stepMs);
  }

  /**
   * One line per op type (or node) of {@code byType} ({@code {total time, calls}} over {@code
   * measured} steps, times in units of which {@code unitsPerMs} make a millisecond), largest first,
   * those of at least 0.05 ms per step, with their share of {@code stepMs}. Shared with {@code
   * tensorflow.TfStepBreakdown}, whose trace gives microseconds.
   */
  public static void printOps(
      Map<String, long[]> byType, int measured, double unitsPerMs, double stepMs) {
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(byType.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    for (Map.Entry<String, long[]> e : rows) {
      double ms = e.getValue()[0] / unitsPerMs / measured;
      if (ms >= 0.05) {
        System.out.printf(
            Locale.ROOT,
            "  %-28s %8.2f ms %5.1f %%  (%d calls)%n",
            e.getKey(),
            ms,
            100 * ms / stepMs,
            e.getValue()[1] / measured);
      }
    }
  }

  private static String arg(String[] args, int i, String fallback) {
    return args.length > i ? args[i] : fallback;
  }
}
