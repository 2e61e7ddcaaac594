package dev.millrace.graphdef.transforms;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code set_data_format(data_format=NCHW)}: runs a graph's convolutions, pools, batch norms and
 * bias adds in the other data format (NHWC ⇄ NCHW) without changing what the graph computes — the
 * layout pass TensorFlow's Grappler applies on GPUs, as a transform whose result can be inspected.
 *
 * <p>Every layout-sensitive node ({@link OpTrait#LAYOUT_SENSITIVE} with a {@code data_format}
 * attribute) in the other format is switched: its {@code data_format} and its per-dimension
 * attributes ({@code strides}, {@code ksize}, {@code dilations}, {@code explicit_paddings}) are
 * permuted, and so are per-dimension constant inputs of those names (MaxPoolV2's window; a node
 * whose window is computed at run time is not switched). The new layout then spreads to the nodes
 * those feed where that is free: elementwise ops (a constant operand with one non-unit dimension,
 * such as a per-channel scale, is reshaped to match), {@code BiasAdd} after a switched node,
 * reductions, {@code ConcatV2} and {@code Pad} with constant axes or paddings (rewritten). A {@code
 * Transpose} is inserted only where a tensor crosses between the two layouts: into the first
 * switched node after the graph's input, and back where an unswitched node or a graph output reads
 * a switched one. Nodes keep their names, so profiles still name the layers; a graph output that is
 * switched is renamed {@code NAME/FORMAT} and the transpose back takes its name.
 */
final class SetDataFormat implements GraphTransform {
  /** Ops whose input may have any rank: switched only when a switched node feeds them. */
  private static final Set<String> ANY_RANK = Set.of("BiasAdd", "BiasAddV1");

  private static final Set<String> REDUCTIONS = Set.of("Mean", "Sum", "Max", "Min", "Prod");
  private static final Set<String> PER_DIMENSION_ATTRS = Set.of("strides", "ksize", "dilations");

  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    String target = context.param("data_format", "NCHW");
    if (!target.equals("NCHW") && !target.equals("NHWC")) {
      throw new IllegalArgumentException("data_format=" + target + " is not one of NHWC, NCHW");
    }
    return new Rewrite(graph, context, Layout.of(target)).run();
  }

  /** The permutation from the graph's layout to the target one, and back. */
  private record Layout(String target, String source, int[] toTarget, int[] toSource) {
    static Layout of(String target) {
      int[] toNchw = {0, 3, 1, 2};
      int[] toNhwc = {0, 2, 3, 1};
      return target.equals("NCHW")
          ? new Layout("NCHW", "NHWC", toNchw, toNhwc)
          : new Layout("NHWC", "NCHW", toNhwc, toNchw);
    }

    /** Where source dimension {@code d} sits in the target layout. */
    int targetAxis(long d) {
      int axis = (int) (d < 0 ? d + 4 : d);
      for (int i = 0; i < 4; i++) {
        if (toTarget[i] == axis) {
          return i;
        }
      }
      throw new IllegalArgumentException("axis " + d + " of a 4-D tensor");
    }
  }

  /** How a node takes part in the rewrite. */
  private enum Role {
    /** Rewritten to read and write the target layout. */
    SWITCHED,
    /** Reads the target layout, writes a tensor with no layout (a full reduction, say). */
    READS_SWITCHED
  }

  private static final class Rewrite {
    private final GraphDef graph;
    private final OpRegistry registry;
    private final Set<String> outputs;
    private final Layout layout;
    private final NodeIndex index;
    private final Map<String, Role> roles = new LinkedHashMap<>();

    /** Switched constants: original Const name → its node in the target layout. */
    private final Map<String, NodeDef> newConsts = new LinkedHashMap<>();

    private final Map<Boolean, String> permNames = new HashMap<>();
    private final Map<String, NodeDef> transposesIn = new LinkedHashMap<>();
    private final Map<String, NodeDef> transposesOut = new LinkedHashMap<>();
    private final Map<String, String> renamed = new HashMap<>();

    /** Every node name in use, so that added nodes get fresh ones. */
    private final Set<String> taken = new HashSet<>();

    Rewrite(GraphDef graph, TransformContext context, Layout layout) {
      this.graph = graph;
      this.registry = context.registry();
      this.outputs = Set.copyOf(context.outputs());
      this.layout = layout;
      this.index = new NodeIndex(graph);
      graph.getNodeList().forEach(n -> taken.add(n.getName()));
    }

    /** {@code base}, or {@code base_1}, {@code base_2}, ... if a node has that name already. */
    private String fresh(String base) {
      String name = base;
      for (int i = 1; !taken.add(name); i++) {
        name = base + "_" + i;
      }
      return name;
    }

    GraphDef run() {
      assignRoles();
      if (roles.isEmpty()) {
        return graph;
      }
      for (String name : roles.keySet()) {
        if (roles.get(name) == Role.SWITCHED && outputs.contains(name)) {
          renamed.put(name, fresh(name + "/" + layout.target));
        }
      }
      GraphDef.Builder b = graph.toBuilder().clearNode();
      List<NodeDef> rewritten = new ArrayList<>();
      for (NodeDef n : graph.getNodeList()) {
        rewritten.add(roles.containsKey(n.getName()) ? switched(n) : readingOriginals(n));
      }
      for (String name : renamed.keySet()) {
        transposeOut(name);
      }
      if (!transposesIn.isEmpty()) {
        b.addNode(permConst(permName(true), layout.toTarget));
      }
      if (!transposesOut.isEmpty()) {
        b.addNode(permConst(permName(false), layout.toSource));
      }
      newConsts.values().forEach(b::addNode);
      transposesIn.values().forEach(b::addNode);
      rewritten.forEach(b::addNode);
      transposesOut.values().forEach(b::addNode);
      return b.build();
    }

    // ---- which nodes switch ----

    private void assignRoles() {
      boolean changed = true;
      while (changed) {
        changed = false;
        for (NodeDef n : graph.getNodeList()) {
          if (!roles.containsKey(n.getName())) {
            Optional<Role> r = roleOf(n);
            if (r.isPresent()) {
              roles.put(n.getName(), r.get());
              changed = true;
            }
          }
        }
      }
    }

    private Optional<Role> roleOf(NodeDef n) {
      String op = n.getOp();
      List<String> in = NodeIndex.dataInputs(n);
      if (isSourceFormatLayoutOp(n)) {
        for (int i = 1; i < in.size(); i++) {
          if (isPerDimensionInput(op, i)
              && intConst(in.get(i)).map(v -> v.length != 4).orElse(true)) {
            return Optional.empty(); // a window computed at run time cannot be permuted here
          }
        }
        return ANY_RANK.contains(op) && !readsSwitched(in.get(0))
            ? Optional.empty()
            : Optional.of(Role.SWITCHED);
      }
      if (in.isEmpty() || registry.hasTrait(op, OpTrait.LAYOUT_SENSITIVE)) {
        return Optional.empty();
      }
      if (registry.hasTrait(op, OpTrait.ELEMENTWISE) && !registry.hasTrait(op, OpTrait.GRADIENT)) {
        boolean any = false;
        for (String i : in) {
          if (readsSwitched(i)) {
            any = true;
          } else if (broadcastConst(i).isEmpty()) {
            return Optional.empty();
          }
        }
        return any ? Optional.of(Role.SWITCHED) : Optional.empty();
      }
      if (REDUCTIONS.contains(op) && in.size() == 2 && readsSwitched(in.get(0))) {
        Optional<long[]> axes = intConst(in.get(1));
        if (axes.isEmpty()) {
          return Optional.empty();
        }
        if (keepDims(n)) {
          return Optional.of(Role.SWITCHED);
        }
        return keptDimensionsAgree(axes.get())
            ? Optional.of(Role.READS_SWITCHED)
            : Optional.empty();
      }
      if (op.equals("ConcatV2") && in.size() >= 2) {
        List<String> values = in.subList(0, in.size() - 1);
        return values.stream().allMatch(this::readsSwitched)
                && intConst(in.get(in.size() - 1)).isPresent()
            ? Optional.of(Role.SWITCHED)
            : Optional.empty();
      }
      if ((op.equals("Pad") || op.equals("MirrorPad")) && in.size() == 2) {
        Optional<long[]> pads = intConst(in.get(1));
        return readsSwitched(in.get(0)) && pads.isPresent() && pads.get().length == 8
            ? Optional.of(Role.SWITCHED)
            : Optional.empty();
      }
      return Optional.empty();
    }

    private boolean isSourceFormatLayoutOp(NodeDef n) {
      return registry.hasTrait(n.getOp(), OpTrait.LAYOUT_SENSITIVE)
          && !registry.hasTrait(n.getOp(), OpTrait.GRADIENT)
          && registry.lookup(n.getOp()).map(d -> d.attrs().containsKey("data_format")).orElse(false)
          && dataFormat(n).equals(layout.source)
          && !NodeIndex.dataInputs(n).isEmpty();
    }

    private String dataFormat(NodeDef n) {
      return n.containsAttr("data_format")
          ? n.getAttrOrThrow("data_format").getS().toStringUtf8()
          : "NHWC";
    }

    /** Whether {@code input} is output 0 of a switched node: a tensor in the target layout. */
    private boolean readsSwitched(String input) {
      return GraphNames.outputOf(input) == 0
          && roles.get(GraphNames.nodeOf(input)) == Role.SWITCHED;
    }

    private static boolean keepDims(NodeDef n) {
      return n.containsAttr("keep_dims") && n.getAttrOrThrow("keep_dims").getB();
    }

    /** Whether dropping {@code axes} leaves the other dimensions in the same order either way. */
    private boolean keptDimensionsAgree(long[] axes) {
      Set<Integer> dropped = new HashSet<>();
      for (long a : axes) {
        dropped.add((int) (a < 0 ? a + 4 : a));
      }
      List<Integer> inSource = new ArrayList<>();
      List<Integer> inTarget = new ArrayList<>();
      for (int d = 0; d < 4; d++) {
        if (!dropped.contains(d)) {
          inSource.add(d);
        }
        if (!dropped.contains(layout.toTarget[d])) {
          inTarget.add(layout.toTarget[d]);
        }
      }
      return inSource.equals(inTarget);
    }

    // ---- rewriting ----

    private NodeDef switched(NodeDef n) {
      NodeDef.Builder b = n.toBuilder().clearInput();
      if (renamed.containsKey(n.getName())) {
        b.setName(targetName(n.getName()));
      }
      List<String> in = n.getInputList();
      String op = n.getOp();
      int dataIndex = 0;
      int dataCount = NodeIndex.dataInputs(n).size();
      for (String input : in) {
        if (GraphNames.isControl(input)) {
          b.addInput(input);
          continue;
        }
        b.addInput(switchedInput(n, op, input, dataIndex++, dataCount));
      }
      if (isSourceFormatLayoutOp(n)) {
        b.putAttr("data_format", AttrValue.newBuilder().setS(utf8(layout.target)).build());
        for (String attr : PER_DIMENSION_ATTRS) {
          if (n.containsAttr(attr) && n.getAttrOrThrow(attr).getList().getICount() == 4) {
            b.putAttr(attr, permuted(n.getAttrOrThrow(attr), 1));
          }
        }
        if (n.containsAttr("explicit_paddings")
            && n.getAttrOrThrow("explicit_paddings").getList().getICount() == 8) {
          b.putAttr("explicit_paddings", permuted(n.getAttrOrThrow("explicit_paddings"), 2));
        }
      }
      return b.build();
    }

    /** The input of a switched node, in the layout it needs. */
    private String switchedInput(NodeDef n, String op, String input, int dataIndex, int count) {
      boolean isActivation;
      if (isSourceFormatLayoutOp(n)
          || REDUCTIONS.contains(op)
          || op.equals("Pad")
          || op.equals("MirrorPad")) {
        isActivation = dataIndex == 0;
      } else if (op.equals("ConcatV2")) {
        isActivation = dataIndex < count - 1;
      } else {
        isActivation = true; // elementwise
      }
      if (isActivation) {
        if (readsSwitched(input)) {
          return targetRef(input);
        }
        Optional<NodeDef> c = broadcastConst(input);
        if (c.isPresent() && !isSourceFormatLayoutOp(n)) {
          return reshapedConst(c.get()).getName();
        }
        return transposeIn(original(input), typeOf(n));
      }
      if (REDUCTIONS.contains(op)) {
        return axesConst(input, n.getName() + "/axes_" + layout.target).getName();
      }
      if (op.equals("ConcatV2")) {
        return axesConst(input, n.getName() + "/axis_" + layout.target).getName();
      }
      if (op.equals("Pad") || op.equals("MirrorPad")) {
        return paddingsConst(input, n.getName() + "/paddings_" + layout.target).getName();
      }
      if (isSourceFormatLayoutOp(n) && isPerDimensionInput(op, dataIndex)) {
        return perDimensionConst(input).getName();
      }
      return original(input);
    }

    /**
     * Whether data input {@code i} of {@code op} holds one entry per dimension, as the attributes
     * of {@link #PER_DIMENSION_ATTRS} do, by its name in the op's definition (MaxPoolV2's {@code
     * ksize} and {@code strides}).
     */
    private boolean isPerDimensionInput(String op, int i) {
      return registry
          .lookup(GraphImporter.runAs(op))
          .map(d -> i < d.inputs().size() && PER_DIMENSION_ATTRS.contains(d.inputs().get(i).name()))
          .orElse(false);
    }

    /** An unswitched node: every input as the original graph had it. */
    private NodeDef readingOriginals(NodeDef n) {
      NodeDef.Builder b = n.toBuilder().clearInput();
      for (String input : n.getInputList()) {
        b.addInput(GraphNames.isControl(input) ? input : original(input));
      }
      return b.build();
    }

    /**
     * A reference to the tensor {@code input} named in the original graph: output 0 of a switched
     * node is read through a transpose back; other outputs of a renamed node under its new name.
     */
    private String original(String input) {
      String node = GraphNames.nodeOf(input);
      if (readsSwitched(input)) {
        return renamed.containsKey(node) ? node : transposeOut(node);
      }
      return renamed.containsKey(node) ? GraphNames.withNode(input, targetName(node)) : input;
    }

    /** The target-layout tensor of switched {@code input}. */
    private String targetRef(String input) {
      String node = GraphNames.nodeOf(input);
      return renamed.containsKey(node) ? targetName(node) : node;
    }

    private String targetName(String node) {
      return renamed.get(node);
    }

    private String transposeIn(String input, DataType type) {
      String name = input.replace(':', '_') + "/to_" + layout.target;
      transposesIn.computeIfAbsent(name, k -> transpose(k, input, permName(true), type));
      return name;
    }

    /** The name of the source-layout copy of switched node {@code node}'s output 0. */
    private String transposeOut(String node) {
      String name = renamed.containsKey(node) ? node : node + "/to_" + layout.source;
      transposesOut.computeIfAbsent(
          name,
          k ->
              transpose(
                  k, targetRef(node), permName(false), typeOf(index.node(node).orElseThrow())));
      return name;
    }

    private NodeDef transpose(String name, String input, String perm, DataType type) {
      return NodeDef.newBuilder()
          .setName(name)
          .setOp("Transpose")
          .addInput(input)
          .addInput(perm)
          .putAttr("T", AttrValue.newBuilder().setType(type).build())
          .putAttr("Tperm", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
          .build();
    }

    private String permName(boolean toTarget) {
      return "set_data_format/"
          + (toTarget
              ? layout.source + "_to_" + layout.target
              : layout.target + "_to_" + layout.source);
    }

    private static NodeDef permConst(String name, int[] perm) {
      return Weights.constNode(name, Tensor.ofInts(Shape.of(4), perm), "");
    }

    private static DataType typeOf(NodeDef n) {
      return n.containsAttr("T") ? n.getAttrOrThrow("T").getType() : DataType.DT_FLOAT;
    }

    private AttrValue permuted(AttrValue list, int perDimension) {
      List<Long> v = list.getList().getIList();
      AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < perDimension; j++) {
          l.addI(v.get(layout.toTarget[i] * perDimension + j));
        }
      }
      return AttrValue.newBuilder().setList(l).build();
    }

    // ---- constants ----

    /** A Const of rank ≤ 4 with at most one dimension above 1: broadcasts the same either way. */
    private Optional<NodeDef> broadcastConst(String input) {
      Optional<NodeDef> p = index.producer(input);
      if (p.isEmpty() || !p.get().getOp().equals("Const") || !p.get().containsAttr("value")) {
        return Optional.empty();
      }
      TensorShapeProto s = p.get().getAttrOrThrow("value").getTensor().getTensorShape();
      if (s.getDimCount() > 4) {
        return Optional.empty();
      }
      long big = s.getDimList().stream().filter(d -> d.getSize() != 1).count();
      return big <= 1 ? p : Optional.empty();
    }

    /** {@code c} padded to rank 4 and its dimensions permuted; the values' order is unchanged. */
    private NodeDef reshapedConst(NodeDef c) {
      return newConsts.computeIfAbsent(
          c.getName(),
          k -> {
            TensorProto t = c.getAttrOrThrow("value").getTensor();
            int rank = t.getTensorShape().getDimCount();
            if (rank == 0) {
              return c.toBuilder().setName(fresh(k + "/" + layout.target)).build();
            }
            long[] padded = {1, 1, 1, 1};
            for (int i = 0; i < rank; i++) {
              padded[4 - rank + i] = t.getTensorShape().getDim(i).getSize();
            }
            long[] dims = new long[4];
            for (int i = 0; i < 4; i++) {
              dims[i] = padded[layout.toTarget[i]];
            }
            TensorProto moved =
                t.toBuilder().setTensorShape(TensorValues.shapeProto(Shape.of(dims))).build();
            return c.toBuilder()
                .setName(fresh(k + "/" + layout.target))
                .putAttr("value", AttrValue.newBuilder().setTensor(moved).build())
                .build();
          });
    }

    private Optional<long[]> intConst(String input) {
      Optional<NodeDef> p = index.producer(input);
      if (p.isEmpty() || !p.get().getOp().equals("Const") || !p.get().containsAttr("value")) {
        return Optional.empty();
      }
      TensorProto t = p.get().getAttrOrThrow("value").getTensor();
      if (t.getDtype() != DataType.DT_INT32 && t.getDtype() != DataType.DT_INT64) {
        return Optional.empty();
      }
      Tensor v = TensorValues.toTensor(t);
      return Optional.of(
          t.getDtype() == DataType.DT_INT64
              ? v.toLongArray()
              : java.util.Arrays.stream(v.toIntArray()).asLongStream().toArray());
    }

    private NodeDef axesConst(String input, String name) {
      long[] axes = intConst(input).orElseThrow();
      long[] moved = new long[axes.length];
      for (int i = 0; i < axes.length; i++) {
        moved[i] = layout.targetAxis(axes[i]);
      }
      return intConstLike(input, name, moved);
    }

    /** A per-dimension constant (a window, strides) permuted like the attributes. */
    private NodeDef perDimensionConst(String input) {
      long[] v = intConst(input).orElseThrow();
      long[] moved = new long[4];
      for (int i = 0; i < 4; i++) {
        moved[i] = v[layout.toTarget[i]];
      }
      return intConstLike(input, GraphNames.nodeOf(input) + "/" + layout.target, moved);
    }

    private NodeDef paddingsConst(String input, String name) {
      long[] pads = intConst(input).orElseThrow();
      long[] moved = new long[8];
      for (int i = 0; i < 4; i++) {
        moved[2 * i] = pads[2 * layout.toTarget[i]];
        moved[2 * i + 1] = pads[2 * layout.toTarget[i] + 1];
      }
      return intConstLike(input, name, moved);
    }

    /** A Const of {@code input}'s type and shape holding {@code values}, added once. */
    private NodeDef intConstLike(String input, String name, long[] values) {
      TensorProto t = index.producer(input).orElseThrow().getAttrOrThrow("value").getTensor();
      Shape shape = TensorValues.definedShape(t.getTensorShape());
      Tensor value;
      if (t.getDtype() == DataType.DT_INT64) {
        value = Tensor.ofLongs(shape, values);
      } else {
        int[] ints = new int[values.length];
        for (int i = 0; i < ints.length; i++) {
          ints[i] = (int) values[i];
        }
        value = Tensor.ofInts(shape, ints);
      }
      return newConsts.computeIfAbsent(name, k -> Weights.constNode(fresh(k), value, ""));
    }

    private static com.google.protobuf.ByteString utf8(String s) {
      return com.google.protobuf.ByteString.copyFromUtf8(s);
    }
  }
}
