package dev.millrace.graphdef.transforms;

import static dev.millrace.graphdef.transforms.QuantizeNodes.node;
import static dev.millrace.graphdef.transforms.QuantizeNodes.string;
import static dev.millrace.graphdef.transforms.QuantizeNodes.type;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trained activation ranges of a quantization-aware graph, for {@code quantize_nodes}: during
 * training a FakeQuantWithMinMaxVars (or Args) op after a layer learns the range its activations
 * take, which is a better range for inference than one measured per batch.
 *
 * <ol>
 *   <li>{@link #hoist}: a fake quantization after a ReLU, ReLU6, max pool or Identity moves up
 *       before them (up to three), next to the op whose 32-bit result it should narrow. These ops
 *       commute with it; TensorFlow's tool moves it past any one-input op, which changes what a
 *       sigmoid or softmax computes, so Millrace moves it past these only.
 *   <li>{@link #convert}: each becomes a QuantizeV2 to 32 bits, a Requantize to eight bits over the
 *       trained range and a Dequantize under its name.
 *   <li>{@link #mergeAdjacentRequantizes} (after the ops are quantized): a Requantize with a
 *       trained range that re-reads another Requantize's result through float takes its place, so
 *       the 32-bit result is narrowed once, to the trained range, and no RequantizationRange runs.
 * </ol>
 */
final class FakeQuantRanges {
  private static final Set<String> COMMUTING = Set.of("Relu", "Relu6", "MaxPool", "Identity");
  private static final int MAX_HOIST = 3;

  private FakeQuantRanges() {}

  /** {@code g} with each fake quantization moved up past the ops that commute with it. */
  static GraphDef hoist(GraphDef g) {
    GraphDef current = g;
    NodeIndex index = new NodeIndex(current);
    for (NodeDef fq : current.getNodeList()) {
      if (range(index, fq).isEmpty()) {
        continue;
      }
      List<NodeDef> chain = new ArrayList<>(); // from the fake quantization upwards
      NodeDef reader = fq;
      while (chain.size() < MAX_HOIST) {
        Optional<NodeDef> p = index.producer(NodeIndex.dataInputs(reader).get(0));
        if (p.isEmpty()
            || !COMMUTING.contains(p.get().getOp())
            || NodeIndex.dataInputs(p.get()).size() != 1
            || GraphNames.outputOf(NodeIndex.dataInputs(reader).get(0)) != 0
            || index.consumers(p.get().getName()).size() != 1) {
          break;
        }
        chain.add(p.get());
        reader = p.get();
      }
      if (chain.isEmpty()) {
        continue;
      }
      current = moveAbove(current, fq, chain);
      index = new NodeIndex(current);
    }
    return current;
  }

  /**
   * {@code fq} moved between the top of {@code chain} (the ops it read through, nearest first) and
   * that op's input, renamed {@code NAME_hoisted}; the nearest op takes {@code fq}'s name, so the
   * readers of {@code fq} read the same values under the same name. Only {@code fq} read the
   * nearest op, so nothing else needs its old name.
   */
  private static GraphDef moveAbove(GraphDef g, NodeDef fq, List<NodeDef> chain) {
    NodeDef top = chain.get(chain.size() - 1);
    String hoisted = fq.getName() + "_hoisted";
    Map<String, NodeDef> replaced = new HashMap<>();
    replaced.put(
        fq.getName(), fq.toBuilder().setName(hoisted).setInput(0, top.getInput(0)).build());
    for (int i = 0; i < chain.size(); i++) {
      NodeDef.Builder b = chain.get(i).toBuilder();
      if (i == chain.size() - 1) {
        b.setInput(0, hoisted);
      }
      if (i == 0) {
        b.setName(fq.getName());
      }
      replaced.put(chain.get(i).getName(), b.build());
    }
    GraphDef.Builder out = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      out.addNode(replaced.getOrDefault(n.getName(), n));
    }
    return out.build();
  }

  /**
   * {@code g} with each fake quantization replaced by QuantizeV2 (to QINT32, MIN_FIRST), a
   * Requantize to its range and a Dequantize under its name, as TensorFlow's tool writes them. The
   * new nodes' names go into {@code created}.
   */
  static GraphDef convert(GraphDef g, Set<String> created) {
    NodeIndex index = new NodeIndex(g);
    GraphEdit edit = new GraphEdit(g);
    for (NodeDef fq : g.getNodeList()) {
      Optional<String[]> range = range(index, fq);
      if (range.isEmpty()) {
        continue;
      }
      String prefix = fq.getName() + "_eightbit";
      List<NodeDef> nodes = new ArrayList<>();
      String min = range.get()[0];
      String max = range.get()[1];
      if (fq.getOp().equals("FakeQuantWithMinMaxArgs")) {
        NodeDef lo =
            Weights.constNode(
                prefix + "/min", Tensor.scalar(fq.getAttrOrThrow("min").getF()), fq.getDevice());
        NodeDef hi =
            Weights.constNode(
                prefix + "/max", Tensor.scalar(fq.getAttrOrThrow("max").getF()), fq.getDevice());
        nodes.add(lo);
        nodes.add(hi);
        min = lo.getName();
        max = hi.getName();
      }
      NodeDef quantize =
          node(prefix + "/quantize", "QuantizeV2", fq.getInput(0), min, max)
              .putAttr("T", type(DataType.DT_QINT32))
              .putAttr("mode", string("MIN_FIRST"))
              .build();
      String q = quantize.getName();
      NodeDef requantize =
          node(prefix + "/requantize", "Requantize", q + ":0", q + ":1", q + ":2", min, max)
              .putAttr("Tinput", type(DataType.DT_QINT32))
              .putAttr("out_type", type(DataType.DT_QUINT8))
              .build();
      String r = requantize.getName();
      NodeDef dequantize =
          node(fq.getName(), "Dequantize", r + ":0", r + ":1", r + ":2")
              .putAttr("T", type(DataType.DT_QUINT8))
              .putAttr("mode", string("MIN_FIRST"))
              .build();
      nodes.addAll(List.of(quantize, requantize, dequantize));
      nodes.forEach(n -> created.add(n.getName()));
      edit.replace(fq.getName(), nodes.toArray(NodeDef[]::new));
    }
    return edit.result();
  }

  /**
   * The names of a fake quantization's min and max: its two Const inputs (Vars), or, for Args, the
   * attribute names themselves as a marker; empty for any other node or non-constant ranges.
   */
  private static Optional<String[]> range(NodeIndex index, NodeDef n) {
    if (n.getOp().equals("FakeQuantWithMinMaxArgs")) {
      return bits(n) ? Optional.of(new String[] {"min", "max"}) : Optional.empty();
    }
    if (!n.getOp().equals("FakeQuantWithMinMaxVars") || !bits(n)) {
      return Optional.empty();
    }
    List<String> in = NodeIndex.dataInputs(n);
    if (in.size() != 3 || !isScalarConst(index, in.get(1)) || !isScalarConst(index, in.get(2))) {
      return Optional.empty();
    }
    return Optional.of(new String[] {in.get(1), in.get(2)});
  }

  /** Eight bits, full range: what a QUINT8 Requantize to the same range reproduces. */
  private static boolean bits(NodeDef n) {
    long bits = n.containsAttr("num_bits") ? n.getAttrOrThrow("num_bits").getI() : 8;
    boolean narrow = n.containsAttr("narrow_range") && n.getAttrOrThrow("narrow_range").getB();
    return bits == 8 && !narrow;
  }

  private static boolean isScalarConst(NodeIndex index, String input) {
    return Weights.floatConst(index.producer(input)).map(t -> t.size() == 1).orElse(false);
  }

  /**
   * Each {@code Requantize(QuantizeV2(Dequantize(Requantize(op, RequantizationRange)), Const,
   * Const), Const, Const)} — a quantized op's run-time narrowing followed by a trained one —
   * becomes {@code Requantize(op, Const, Const)}.
   */
  static GraphDef mergeAdjacentRequantizes(GraphDef g) {
    NodeIndex index = new NodeIndex(g);
    GraphEdit edit = new GraphEdit(g);
    for (NodeDef trained : g.getNodeList()) {
      if (!trained.getOp().equals("Requantize")
          || !isScalarConst(index, trained.getInput(3))
          || !isScalarConst(index, trained.getInput(4))) {
        continue;
      }
      Optional<NodeDef> quantize = producer(index, trained.getInput(0), "QuantizeV2");
      Optional<NodeDef> dequantize =
          quantize.flatMap(q -> producer(index, q.getInput(0), "Dequantize"));
      Optional<NodeDef> measured =
          dequantize.flatMap(d -> producer(index, d.getInput(0), "Requantize"));
      if (measured.isEmpty()
          || producer(index, measured.get().getInput(3), "RequantizationRange").isEmpty()) {
        continue;
      }
      NodeDef m = measured.get();
      edit.replace(
          trained.getName(),
          trained.toBuilder()
              .setInput(0, m.getInput(0))
              .setInput(1, m.getInput(1))
              .setInput(2, m.getInput(2))
              .build());
    }
    return edit.result();
  }

  private static Optional<NodeDef> producer(NodeIndex index, String input, String op) {
    return GraphNames.outputOf(input) != 0
        ? Optional.empty()
        : index.producer(input).filter(p -> p.getOp().equals(op));
  }
}
