package dev.millrace.graphdef.transforms;

import com.google.protobuf.ByteString;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static post-training quantization of a graph that {@code quantize_nodes} wrote: the ranges it
 * measures at every step — {@code Min}/{@code Max} before each QuantizeV2 of an activation, {@code
 * RequantizationRange} before each Requantize — become constants calibrated on real data, so that
 * inference no longer scans every tensor twice for its range.
 *
 * <p>{@link #points} lists what to observe; {@link #withProbes} adds a float view of each point to
 * a copy of the graph for the calibration runs; {@link #apply} writes the ranges in.
 */
public final class StaticRanges {
  private StaticRanges() {}

  /** Where the range is measured, and the float tensor (in {@link #withProbes}' graph) to watch. */
  public record Point(String node, String observed, boolean requantize) {}

  /**
   * The dynamic ranges of {@code graph}: each QuantizeV2 fed by Min/Max, each Requantize fed by a
   * RequantizationRange.
   */
  public static List<Point> points(GraphDef graph) {
    NodeIndex index = new NodeIndex(graph);
    List<Point> points = new ArrayList<>();
    for (NodeDef n : graph.getNodeList()) {
      if (n.getOp().equals("QuantizeV2")
          && n.getInputCount() >= 3
          && producerIs(index, n.getInput(1), "Min")
          && producerIs(index, n.getInput(2), "Max")) {
        points.add(new Point(n.getName(), n.getInput(0), false));
      } else if (n.getOp().equals("Requantize")
          && n.getInputCount() >= 5
          && producerIs(index, n.getInput(3), "RequantizationRange")) {
        points.add(new Point(n.getName(), probeName(n.getName()), true));
      }
    }
    return points;
  }

  private static boolean producerIs(NodeIndex index, String input, String op) {
    return index.producer(input).map(p -> p.getOp().equals(op)).orElse(false);
  }

  private static String probeName(String requantize) {
    return requantize + "/calibration_view";
  }

  /**
   * {@code graph} with, for each Requantize point, a Dequantize of the 32-bit result it narrows:
   * the float values whose range calibration observes.
   */
  public static GraphDef withProbes(GraphDef graph, List<Point> points) {
    NodeIndex index = new NodeIndex(graph);
    GraphDef.Builder b = graph.toBuilder();
    for (Point p : points) {
      if (!p.requantize()) {
        continue;
      }
      NodeDef r = index.node(p.node()).orElseThrow();
      b.addNode(
          NodeDef.newBuilder()
              .setName(p.observed())
              .setOp("Dequantize")
              .addInput(r.getInput(0))
              .addInput(r.getInput(1))
              .addInput(r.getInput(2))
              .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_QINT32).build())
              .putAttr(
                  "mode",
                  AttrValue.newBuilder().setS(ByteString.copyFromUtf8("MIN_FIRST")).build()));
    }
    return b.build();
  }

  /**
   * {@code graph} calibrated on one in-memory batch: each point's range is the min and max it takes
   * when {@code batch} is fed to {@code feed} (a tensor name such as {@code input:0}). {@code
   * millrace quantize} does the same over many batches, with percentiles as an option.
   */
  public static GraphDef calibrateOn(GraphDef graph, String feed, Tensor batch, Set<String> outputs)
      throws IOException {
    List<Point> points = points(graph);
    Map<String, float[]> ranges = new HashMap<>();
    try (Graph g = GraphImporter.withBuiltins().importGraph(withProbes(graph, points), "probes");
        Session s = new Session(g)) {
      Session.Runner r = s.runner().feed(feed, batch);
      for (Point p : points) {
        r.fetch(p.observed().contains(":") ? p.observed() : p.observed() + ":0");
      }
      try (Session.Result result = r.run()) {
        for (int k = 0; k < points.size(); k++) {
          float lo = Float.POSITIVE_INFINITY;
          float hi = Float.NEGATIVE_INFINITY;
          for (float v : result.get(k).toFloatArray()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          ranges.put(points.get(k).node(), new float[] {lo, hi});
        }
      }
    }
    return apply(graph, ranges, outputs);
  }

  /**
   * {@code graph} with each point's range a pair of Consts ({@code NODE/calibrated_min}, {@code
   * NODE/calibrated_max}; the low end at most 0, as Requantize requires), and the nodes that
   * measured it removed once nothing reads them.
   *
   * @param ranges for each point's node name, {@code {min, max}}
   */
  public static GraphDef apply(GraphDef graph, Map<String, float[]> ranges, Set<String> outputs) {
    NodeIndex index = new NodeIndex(graph);
    Set<String> removable = new HashSet<>();
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      float[] range = ranges.get(n.getName());
      if (range == null) {
        b.addNode(n);
        continue;
      }
      float min = Math.min(0f, range[0]);
      float max = Math.max(range[1], min + 1e-6f);
      NodeDef lo =
          Weights.constNode(n.getName() + "/calibrated_min", Tensor.scalar(min), n.getDevice());
      NodeDef hi =
          Weights.constNode(n.getName() + "/calibrated_max", Tensor.scalar(max), n.getDevice());
      int at = n.getOp().equals("Requantize") ? 3 : 1;
      for (int k = at; k < at + 2; k++) {
        String measured = GraphNames.nodeOf(n.getInput(k));
        removable.add(measured);
        index
            .producer(n.getInput(k))
            .ifPresent(
                p -> NodeIndex.dataInputs(p).forEach(x -> removable.add(GraphNames.nodeOf(x))));
      }
      b.addNode(lo).addNode(hi);
      b.addNode(n.toBuilder().setInput(at, lo.getName()).setInput(at + 1, hi.getName()));
    }
    return UnreadNodes.remove(b.build(), removable, outputs);
  }
}
