package dev.millrace.graphdef.transforms;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code quantize_nodes}: every float op that has an eight-bit twin becomes that twin, as
 * TensorFlow's tool writes it — same node names, same ops and attributes — so that TensorFlow loads
 * the result. Each float input is measured ({@code Reshape} to one dimension, {@code Min}, {@code
 * Max}) and quantized ({@code QuantizeV2}, MIN_FIRST); the op runs in eight bits; a 32-bit result
 * is narrowed again ({@code RequantizationRange} and {@code Requantize}, or the constant range
 * {@code fallback_min}/{@code fallback_max} when given); a {@code Dequantize} under the op's own
 * name hands float to its readers. Then a Dequantize that feeds straight into a QuantizeV2 is
 * bypassed, so adjacent eight-bit ops pass codes to each other, and what that leaves unread is
 * removed.
 *
 * <p>A frozen quantization-aware graph's FakeQuantWithMinMaxVars (or Args) ops hold trained
 * activation ranges: {@link FakeQuantRanges} moves each up past the ReLUs and max pools before it
 * and turns it into a Requantize to its range, which then takes the place of the run-time measured
 * one, as TensorFlow's tool does.
 *
 * <p>Parameters: {@code ignore_op} (op types to leave in float, repeatable), {@code
 * fallback_min}/{@code fallback_max}, {@code input_min}/{@code input_max} (feed the graph's
 * Placeholders as quint8 codes of that range). Ops in NCHW, with dilations or with explicit padding
 * stay in float: TensorFlow's eight-bit kernels run NHWC, undilated, SAME or VALID only.
 */
final class QuantizeNodes implements GraphTransform {
  /** How one float op maps onto its eight-bit twin. */
  private record Twin(
      String target,
      List<String> attrsToCopy,
      Map<String, DataType> types,
      boolean output32,
      Set<Integer> unquantizedInputs,
      boolean separateMinMax) {}

  private static final Map<String, Twin> TWINS = new HashMap<>();

  static {
    DataType u8 = DataType.DT_QUINT8;
    DataType i32 = DataType.DT_QINT32;
    twin("Add", "QuantizedAdd", List.of(), Map.of("T1", u8, "T2", u8, "Toutput", i32), true);
    twin(
        "AvgPool",
        "QuantizedAvgPool",
        List.of("ksize", "strides", "padding"),
        Map.of("T", u8),
        false);
    twin(
        "BiasAdd",
        "QuantizedBiasAdd",
        List.of(),
        Map.of("T1", u8, "T2", u8, "out_type", i32),
        true);
    TWINS.put(
        "Concat",
        new Twin("QuantizedConcat", List.of("N"), Map.of("T", u8), false, Set.of(0), true));
    twin(
        "Conv2D",
        "QuantizedConv2D",
        List.of("strides", "padding"),
        Map.of("Tinput", u8, "Tfilter", u8, "out_type", i32),
        true);
    twin(
        "MatMul",
        "QuantizedMatMul",
        List.of("transpose_a", "transpose_b"),
        Map.of("T1", u8, "T2", u8, "Toutput", i32),
        true);
    twin(
        "MaxPool",
        "QuantizedMaxPool",
        List.of("ksize", "strides", "padding"),
        Map.of("T", u8),
        false);
    twin("Mul", "QuantizedMul", List.of(), Map.of("T1", u8, "T2", u8, "Toutput", i32), true);
    twin("Relu", "QuantizedRelu", List.of(), Map.of("Tinput", u8), false);
    twin("Relu6", "QuantizedRelu6", List.of(), Map.of("Tinput", u8), false);
    TWINS.put(
        "Reshape",
        new Twin("QuantizedReshape", List.of("Tshape"), Map.of("T", u8), false, Set.of(1), false));
  }

  private static void twin(
      String op, String target, List<String> copy, Map<String, DataType> types, boolean out32) {
    TWINS.put(op, new Twin(target, copy, types, out32, Set.of(), false));
  }

  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    Set<String> ignored = new HashSet<>(context.spec().values("ignore_op"));
    Range fallback = Range.param(context, "fallback_min", "fallback_max");
    Range input = Range.param(context, "input_min", "input_max");
    Set<String> created = new HashSet<>();
    GraphDef placeholders = input == null ? graph : quantizePlaceholders(graph, input, created);
    GraphDef g = FakeQuantRanges.convert(FakeQuantRanges.hoist(placeholders), created);
    GraphEdit edit = new GraphEdit(g);
    for (NodeDef n : g.getNodeList()) {
      Twin twin = TWINS.get(n.getOp());
      if (twin == null || ignored.contains(n.getOp()) || !quantizable(n)) {
        continue;
      }
      List<NodeDef> nodes = quantize(n, twin, fallback);
      nodes.forEach(x -> created.add(x.getName()));
      edit.replace(n.getName(), nodes.toArray(NodeDef[]::new));
    }
    GraphDef quantized = FakeQuantRanges.mergeAdjacentRequantizes(edit.result());
    GraphDef merged = new MergeDuplicateNodes().apply(quantized, context);
    GraphDef bypassed = bypassDequantizeQuantize(merged);
    return UnreadNodes.remove(bypassed, created, context.protectedNodes());
  }

  /** Float, NHWC, undilated, SAME or VALID: what TensorFlow's eight-bit kernels run. */
  private static boolean quantizable(NodeDef n) {
    if (!n.containsAttr("T") || n.getAttrOrThrow("T").getType() != DataType.DT_FLOAT) {
      return false;
    }
    if (n.containsAttr("data_format")
        && !n.getAttrOrThrow("data_format").getS().toStringUtf8().equals("NHWC")) {
      return false;
    }
    if (n.containsAttr("padding")
        && n.getAttrOrThrow("padding").getS().toStringUtf8().equals("EXPLICIT")) {
      return false;
    }
    if (n.containsAttr("dilations")) {
      for (long d : n.getAttrOrThrow("dilations").getList().getIList()) {
        if (d != 1) {
          return false;
        }
      }
    }
    return true;
  }

  private List<NodeDef> quantize(NodeDef n, Twin twin, Range fallback) {
    String prefix = n.getName() + "_eightbit";
    List<NodeDef> nodes = new ArrayList<>();
    List<String> quantizedInputs = new ArrayList<>();
    List<String> inputs = NodeIndex.dataInputs(n);
    for (int i = 0; i < inputs.size(); i++) {
      if (twin.unquantizedInputs().contains(i)) {
        continue;
      }
      String in = inputs.get(i);
      String unique = prefix + "/" + uniqueName(in);
      NodeDef reshapeDims = intConst(unique + "/reshape_dims", -1, in);
      NodeDef reductionDims = intConst(unique + "/reduction_dims", 0, in);
      NodeDef reshape =
          node(unique + "/reshape", "Reshape", in, reshapeDims.getName())
              .putAttr("T", type(DataType.DT_FLOAT))
              .build();
      NodeDef min = reduce(unique + "/min", "Min", reshape.getName(), reductionDims.getName());
      NodeDef max = reduce(unique + "/max", "Max", reshape.getName(), reductionDims.getName());
      NodeDef quantize =
          node(unique + "/quantize", "QuantizeV2", in, min.getName(), max.getName())
              .putAttr("T", type(DataType.DT_QUINT8))
              .putAttr("mode", string("MIN_FIRST"))
              .build();
      nodes.addAll(List.of(reshapeDims, reductionDims, reshape, min, max, quantize));
      quantizedInputs.add(quantize.getName());
    }
    NodeDef.Builder main =
        NodeDef.newBuilder().setName(n.getName() + "/eightbit").setOp(twin.target());
    for (String a : twin.attrsToCopy()) {
      if (n.containsAttr(a)) {
        main.putAttr(a, n.getAttrOrThrow(a));
      }
    }
    twin.types().forEach((a, t) -> main.putAttr(a, type(t)));
    int q = 0;
    for (int i = 0; i < inputs.size(); i++) {
      main.addInput(
          twin.unquantizedInputs().contains(i) ? inputs.get(i) : quantizedInputs.get(q++) + ":0");
    }
    if (twin.separateMinMax()) {
      quantizedInputs.forEach(x -> main.addInput(x + ":1"));
      quantizedInputs.forEach(x -> main.addInput(x + ":2"));
    } else {
      for (String x : quantizedInputs) {
        main.addInput(x + ":1").addInput(x + ":2");
      }
    }
    NodeDef mainNode = main.build();
    nodes.add(mainNode);
    String eightBit = mainNode.getName();
    if (twin.output32()) {
      String lo;
      String hi;
      if (fallback != null) {
        NodeDef fmin =
            Weights.constNode(
                mainNode.getName() + "/fallback_min", Tensor.scalar(fallback.min()), "");
        NodeDef fmax =
            Weights.constNode(
                mainNode.getName() + "/fallback_max", Tensor.scalar(fallback.max()), "");
        nodes.add(fmin);
        nodes.add(fmax);
        lo = fmin.getName();
        hi = fmax.getName();
      } else {
        NodeDef range =
            node(
                    mainNode.getName() + "/requant_range",
                    "RequantizationRange",
                    eightBit + ":0",
                    eightBit + ":1",
                    eightBit + ":2")
                .putAttr("Tinput", type(DataType.DT_QINT32))
                .build();
        nodes.add(range);
        lo = range.getName() + ":0";
        hi = range.getName() + ":1";
      }
      NodeDef requantize =
          node(
                  mainNode.getName() + "/requantize",
                  "Requantize",
                  eightBit + ":0",
                  eightBit + ":1",
                  eightBit + ":2",
                  lo,
                  hi)
              .putAttr("Tinput", type(DataType.DT_QINT32))
              .putAttr("out_type", type(DataType.DT_QUINT8))
              .build();
      nodes.add(requantize);
      eightBit = requantize.getName();
    }
    nodes.add(dequantize(n.getName(), eightBit + ":0", eightBit + ":1", eightBit + ":2"));
    return nodes;
  }

  /**
   * {@code input_min}/{@code input_max} given: each float Placeholder is fed quint8 codes of that
   * range, and a Dequantize after it hands float to its readers.
   */
  private static GraphDef quantizePlaceholders(GraphDef g, Range range, Set<String> created) {
    Map<String, String> renamed = new HashMap<>();
    GraphDef.Builder b = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      if (!n.getOp().equals("Placeholder")) {
        b.addNode(n);
        continue;
      }
      String prefix = n.getName() + "_eightbit";
      b.addNode(n.toBuilder().putAttr("dtype", type(DataType.DT_QUINT8)));
      NodeDef min = Weights.constNode(prefix + "/min", Tensor.scalar(range.min()), "");
      NodeDef max = Weights.constNode(prefix + "/max", Tensor.scalar(range.max()), "");
      NodeDef dq = dequantize(prefix + "/dequantize", n.getName(), min.getName(), max.getName());
      b.addNode(min).addNode(max).addNode(dq);
      created.addAll(List.of(min.getName(), max.getName(), dq.getName()));
      renamed.put(n.getName(), dq.getName());
    }
    GraphDef withNodes = b.build();
    GraphDef.Builder out = withNodes.toBuilder().clearNode();
    for (NodeDef n : withNodes.getNodeList()) {
      if (created.contains(n.getName())) {
        out.addNode(n);
        continue;
      }
      out.addNode(rename(n, name -> renamed.getOrDefault(name, name)));
    }
    return out.build();
  }

  /**
   * A QuantizeV2 whose input is a Dequantize: its readers read the Dequantize's codes and range
   * instead, so two eight-bit ops in a row skip the float round trip.
   */
  private static GraphDef bypassDequantizeQuantize(GraphDef g) {
    NodeIndex index = new NodeIndex(g);
    Map<String, List<String>> bypass = new HashMap<>();
    for (NodeDef n : g.getNodeList()) {
      if (!n.getOp().equals("QuantizeV2") || n.getInputCount() < 3) {
        continue;
      }
      var source = index.producer(n.getInput(0));
      var min = index.producer(n.getInput(1));
      var max = index.producer(n.getInput(2));
      if (source.isPresent()
          && source.get().getOp().equals("Dequantize")
          && GraphNames.outputOf(n.getInput(0)) == 0
          && min.isPresent()
          && min.get().getOp().equals("Min")
          && max.isPresent()
          && max.get().getOp().equals("Max")) {
        bypass.put(n.getName(), NodeIndex.dataInputs(source.get()).subList(0, 3));
      }
    }
    GraphDef.Builder b = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      NodeDef.Builder nb = n.toBuilder().clearInput();
      for (String in : n.getInputList()) {
        List<String> to = GraphNames.isControl(in) ? null : bypass.get(GraphNames.nodeOf(in));
        int k = GraphNames.outputOf(in);
        nb.addInput(to == null || k > 2 ? in : to.get(k));
      }
      b.addNode(nb);
    }
    return b.build();
  }

  private static NodeDef rename(NodeDef n, java.util.function.UnaryOperator<String> newName) {
    NodeDef.Builder nb = n.toBuilder().clearInput();
    for (String in : n.getInputList()) {
      String node = GraphNames.nodeOf(in);
      String to = newName.apply(node);
      nb.addInput(to.equals(node) ? in : GraphNames.withNode(in, to));
    }
    return nb.build();
  }

  /** TensorFlow's UniqueNodeNameFromInput: {@code ^} and {@code :k} spelled out. */
  private static String uniqueName(String input) {
    String node = GraphNames.nodeOf(input);
    StringBuilder s = new StringBuilder();
    if (GraphNames.isControl(input)) {
      s.append("__hat__");
    }
    s.append(node);
    int colon = input.lastIndexOf(':');
    if (!GraphNames.isControl(input) && colon > 0 && input.substring(colon + 1).matches("\\d+")) {
      s.append("__port__").append(input.substring(colon + 1));
    }
    return s.toString();
  }

  private static NodeDef dequantize(String name, String codes, String min, String max) {
    return node(name, "Dequantize", codes, min, max)
        .putAttr("T", type(DataType.DT_QUINT8))
        .putAttr("mode", string("MIN_FIRST"))
        .build();
  }

  private static NodeDef intConst(String name, int value, String after) {
    NodeDef c = Weights.constNode(name, Tensor.ofInts(Shape.of(1), value), "");
    String control = "^" + GraphNames.nodeOf(after);
    return c.toBuilder().addInput(control).build();
  }

  private static NodeDef reduce(String name, String op, String input, String dims) {
    return node(name, op, input, dims)
        .putAttr("T", type(DataType.DT_FLOAT))
        .putAttr("keep_dims", AttrValue.newBuilder().setB(false).build())
        .build();
  }

  /** A node of {@code op} reading {@code inputs}, its attributes still to set. */
  static NodeDef.Builder node(String name, String op, String... inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
    for (String in : inputs) {
      b.addInput(in);
    }
    return b;
  }

  static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }

  /** A float range given as two parameters, or null when neither is. */
  private record Range(float min, float max) {
    static Range param(TransformContext c, String minKey, String maxKey) {
      String min = c.param(minKey, null);
      String max = c.param(maxKey, null);
      if (min == null && max == null) {
        return null;
      }
      if (min == null || max == null) {
        throw new IllegalArgumentException(
            "quantize_nodes: give both " + minKey + " and " + maxKey);
      }
      try {
        return new Range(Float.parseFloat(min), Float.parseFloat(max));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "quantize_nodes: "
                + minKey
                + "="
                + min
                + " and "
                + maxKey
                + "="
                + max
                + " must be numbers");
      }
    }
  }
}
