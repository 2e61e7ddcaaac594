package dev.millrace.bench.tensorflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
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
    SplittableRandom random = new SplittableRandom(2);
    float[] pixels = new float[batch * TfTutorialCnn.SIZE * TfTutorialCnn.SIZE];
    int[] classes = new int[batch];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < batch; i++) {
      classes[i] = random.nextInt(TfTutorialCnn.CLASSES);
    }
    try (TfTutorialCnn net = new TfTutorialCnn(threads, interOp, 1)) {
      TFloat32[] data = TfTutorialCnn.batch(pixels, classes, 0, batch);
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
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(byType.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    for (Map.Entry<String, long[]> e : rows) {
      double ms = e.getValue()[0] / 1e3 / measured;
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
