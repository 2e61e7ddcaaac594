package dev.millrace.bench.tensorflow;

import dev.millrace.bench.nn.StepBreakdown;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's side of {@code nn.StepBreakdown}: where one training step of {@link TfTutorialCnn}
 * goes, milliseconds per step by op type from TensorFlow's own trace ({@code FULL_TRACE}), after a
 * warm-up. With two inter-op threads TensorFlow may run independent ops at once, so the sum of the
 * op times can exceed the step's wall time; tracing itself adds a little to each op.
 *
 * <pre>
 * java -cp millrace-bench/target/benchmarks.jar --enable-native-access=ALL-UNNAMED \
 *     dev.millrace.bench.tensorflow.TfStepBreakdown 100 2 [warmup-steps] [steps] [op-type] [inter-op-threads]
 * </pre>
 *
 * <p>Naming an op type lists that type's nodes one by one ({@code -} for none); inter-op threads
 * default to the intra-op count, as {@code TfTrainingStepBenchmark} runs them, and 1 times each op
 * on its own.
 */
public final class TfStepBreakdown {
  private TfStepBreakdown() {}

  public static void main(String[] args) {
    int batch = Integer.parseInt(arg(args, 0, "100"));
    int threads = Integer.parseInt(arg(args, 1, "2"));
    int warmup = Integer.parseInt(arg(args, 2, "30"));
    int measured = Integer.parseInt(arg(args, 3, "20"));
    String byNode = arg(args, 4, "");
    int interOp = Integer.parseInt(arg(args, 5, Integer.toString(threads)));
    try (TfTutorialCnn net = new TfTutorialCnn(threads, interOp, 1)) {
      TFloat32[] data = TfTutorialCnn.randomBatch(batch);
      for (int i = 0; i < warmup; i++) {
        net.step(data[0], data[1], 1e-4f);
      }
      Map<String, long[]> byType = new TreeMap<>();
      long wall = 0;
      for (int i = 0; i < measured; i++) {
        long start = System.nanoTime();
        RunMetadata meta = net.tracedStep(data[0], data[1], 1e-4f);
        wall += System.nanoTime() - start;
        for (DeviceStepStats device : meta.getStepStats().getDevStatsList()) {
          for (NodeExecStats node : device.getNodeStatsList()) {
            String type = opType(node);
            String key = type.equals(byNode) ? type + " " + node.getNodeName() : type;
            long[] t = byType.computeIfAbsent(key, k -> new long[2]);
            t[0] += node.getAllEndRelMicros();
            t[1]++;
          }
        }
      }
      data[0].close();
      data[1].close();
      print(batch, threads, measured, wall, byType);
    }
  }

  /** The op type from the trace's label, {@code "name = Type(inputs)"}. */
  private static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', eq + 3);
    return eq < 0 || paren < 0 ? node.getNodeName() : label.substring(eq + 3, paren);
  }

  private static void print(
      int batch, int threads, int measured, long wall, Map<String, long[]> byType) {
    double stepMs = wall / 1e6 / measured;
    System.out.printf(
        Locale.ROOT,
        "TensorFlow tf-tutorial-cnn NHWC batch %d, %d threads (traced): %.1f ms per step%n",
        batch,
        threads,
        stepMs);
    StepBreakdown.printOps(byType, measured, 1e3, stepMs);
  }

  private static String arg(String[] args, int i, String fallback) {
    return args.length > i ? args[i] : fallback;
  }
}
