package dev.millrace.graphdef;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.ArgDef;
import dev.millrace.graph.spi.AttrDef;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorShapeProto;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Imports a TensorFlow GraphDef into a Millrace {@link Graph}: every node becomes the operation of
 * the same name, type and attributes, so feeds and fetches keep TensorFlow's tensor names ({@code
 * input:0}, {@code probabilities:0}).
 *
 * <p>Before anything is built the whole graph is checked, and every problem of a kind is reported
 * at once, in one line naming the file: duplicate or empty names, inputs that name no node (or an
 * output a node does not have), cycles, op types Millrace does not run (each with its nodes), and
 * attributes it does not know. Op versions TensorFlow wrote in earlier releases are read as today's
 * ({@link #runAs}); attributes whose names start with {@code _} (TensorFlow's own annotations, such
 * as {@code _output_shapes}) are ignored.
 */
public final class GraphImporter {
  /**
   * Op types and the op that runs them unchanged. FusedBatchNorm (V1, V2) has the inputs,
   * attributes and first five outputs of V3; V1 has no {@code U} attribute, so its statistics take
   * {@code T}. BiasAddV1 is BiasAdd without {@code data_format} (so NHWC), PlaceholderV2 the
   * Placeholder of a few releases, and CheckNumericsV2 (which TensorFlow's debugging writes) checks
   * as CheckNumerics does, telling only infinities' signs apart in its message.
   */
  private static final Map<String, String> ALIASES =
      Map.of(
          "FusedBatchNorm", "FusedBatchNormV3",
          "FusedBatchNormV2", "FusedBatchNormV3",
          "BiasAddV1", "BiasAdd",
          "PlaceholderV2", "Placeholder",
          "CheckNumericsV2", "CheckNumerics");

  /** The op type that runs a node of TensorFlow op type {@code op} (itself, or today's version). */
  public static String runAs(String op) {
    return ALIASES.getOrDefault(op, op);
  }

  private final OpRegistry registry;

  public GraphImporter(OpRegistry registry) {
    this.registry = registry;
  }

  /** An importer for the ops every graph knows. */
  public static GraphImporter withBuiltins() {
    return new GraphImporter(OpRegistry.withBuiltins());
  }

  /** Reads and imports {@code file}. */
  public Graph importFile(Path file) throws IOException {
    return importGraph(GraphDefFile.read(file), file.toString());
  }

  /**
   * Imports {@code graph}; {@code source} names it in errors.
   *
   * @throws IOException one line naming {@code source} and everything that keeps the graph from
   *     being imported
   */
  public Graph importGraph(GraphDef graph, String source) throws IOException {
    try {
      return checkAndBuild(graph, source);
    } catch (IOException e) {
      // Node names, op types and attribute names are whatever bytes the file holds.
      throw new IOException(GraphNames.printable(e.getMessage()), e.getCause());
    }
  }

  private Graph checkAndBuild(GraphDef graph, String source) throws IOException {
    checkNames(graph, source);
    checkOps(graph, source);
    List<NodeDef> order = GraphOrder.topological(graph, source);
    Graph g = new Graph(registry);
    boolean built = false;
    try {
      for (NodeDef n : order) {
        try {
          build(g, n);
        } catch (RuntimeException e) {
          throw new IOException(
              source + ": node '" + n.getName() + "' (" + n.getOp() + "): " + e.getMessage(), e);
        }
      }
      built = true;
      return g;
    } finally {
      if (!built) {
        g.close();
      }
    }
  }

  private static Map<String, NodeDef> checkNames(GraphDef graph, String source) throws IOException {
    Map<String, NodeDef> nodes = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeDef n = graph.getNode(i);
      if (n.getName().isEmpty() || n.getOp().isEmpty()) {
        problems.add("node " + i + " has no " + (n.getName().isEmpty() ? "name" : "op"));
      } else if (nodes.putIfAbsent(n.getName(), n) != null) {
        problems.add("two nodes are named '" + n.getName() + "'");
      }
    }
    if (problems.isEmpty()) {
      for (NodeDef n : graph.getNodeList()) {
        for (String in : n.getInputList()) {
          if (!nodes.containsKey(GraphNames.nodeOf(in))) {
            problems.add("node '" + n.getName() + "' input '" + in + "' names no node");
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IOException(source + ": " + summarise(problems));
    }
    return nodes;
  }

  private void checkOps(GraphDef graph, String source) throws IOException {
    Map<String, List<String>> unsupported = new TreeMap<>();
    List<String> attrProblems = new ArrayList<>();
    for (NodeDef n : graph.getNodeList()) {
      String type = runAs(n.getOp());
      var def = registry.lookup(type);
      if (def.isEmpty()) {
        unsupported.computeIfAbsent(n.getOp(), k -> new ArrayList<>()).add(n.getName());
        continue;
      }
      for (String attr : n.getAttrMap().keySet()) {
        if (!attr.startsWith("_") && !def.get().attrs().containsKey(attr)) {
          attrProblems.add(
              "node '"
                  + n.getName()
                  + "' ("
                  + n.getOp()
                  + ") has attribute '"
                  + attr
                  + "', which Millrace does not know");
        }
      }
    }
    if (!unsupported.isEmpty()) {
      String list =
          unsupported.entrySet().stream()
              .map(e -> e.getKey() + " (" + names(e.getValue()) + ")")
              .collect(Collectors.joining(", "));
      throw new IOException(
          source + ": " + unsupported.size() + " op type(s) Millrace does not run: " + list);
    }
    if (!attrProblems.isEmpty()) {
      throw new IOException(source + ": " + summarise(attrProblems));
    }
  }

  private static String names(List<String> nodes) {
    int shown = Math.min(3, nodes.size());
    String s = String.join(", ", nodes.subList(0, shown));
    return nodes.size() > shown ? s + " and " + (nodes.size() - shown) + " more" : s;
  }

  private static String summarise(List<String> problems) {
    String first = problems.getFirst();
    return problems.size() == 1 ? first : first + " (and " + (problems.size() - 1) + " more)";
  }

  private void build(Graph g, NodeDef n) {
    String type = runAs(n.getOp());
    OpDef def = registry.get(type);
    Graph.OperationBuilder b = g.opBuilder(type, n.getName());
    List<Output<?>> data = new ArrayList<>();
    for (String in : n.getInputList()) {
      if (GraphNames.isControl(in)) {
        b.addControlInput(g.requireOperation(GraphNames.nodeOf(in)));
      } else {
        data.add(output(g, in));
      }
    }
    addInputs(b, def, n, data);
    for (Map.Entry<String, dev.millrace.graphdef.proto.AttrValue> e : n.getAttrMap().entrySet()) {
      AttrDef attr = def.attrs().get(e.getKey());
      if (attr != null) {
        b.setAttr(e.getKey(), convert(attr, e.getValue()));
      }
    }
    if (n.getOp().equals("FusedBatchNorm") && def.attrs().containsKey("U") && n.containsAttr("T")) {
      b.setAttr("U", convert(def.attrs().get("U"), n.getAttrOrThrow("T")));
    }
    if (!n.getDevice().isEmpty()) {
      b.setDevice(n.getDevice());
    }
    b.build();
  }

  private static Output<?> output(Graph g, String input) {
    Operation op = g.requireOperation(GraphNames.nodeOf(input));
    int index = GraphNames.outputOf(input);
    if (index >= op.numOutputs()) {
      throw new IllegalArgumentException(
          "input '" + input + "': '" + op.name() + "' has " + op.numOutputs() + " outputs");
    }
    return op.output(index);
  }

  /** Groups the flat inputs into the definition's arguments: a list argument takes N of them. */
  private static void addInputs(
      Graph.OperationBuilder b, OpDef def, NodeDef n, List<Output<?>> data) {
    int at = 0;
    for (ArgDef arg : def.inputs()) {
      if (arg.isList()) {
        int count = listLength(def, arg, n, data.size() - at);
        if (at + count > data.size()) {
          throw new IllegalArgumentException(
              "argument '"
                  + arg.name()
                  + "' needs "
                  + count
                  + " inputs, only "
                  + (data.size() - at)
                  + " left");
        }
        b.addInputList(data.subList(at, at + count));
        at += count;
      } else {
        if (at >= data.size()) {
          throw new IllegalArgumentException(
              def.inputs().size() + " inputs expected, " + data.size() + " given");
        }
        b.addInput(data.get(at++));
      }
    }
    if (at != data.size()) {
      throw new IllegalArgumentException(
          def.inputs().size() + " inputs expected, " + data.size() + " given");
    }
  }

  private static int listLength(OpDef def, ArgDef arg, NodeDef n, int left) {
    if (n.containsAttr(arg.lengthAttr())) {
      var attr = n.getAttrOrThrow(arg.lengthAttr());
      long count = arg.typeListAttr() != null ? attr.getList().getTypeCount() : attr.getI();
      if (count < 0 || count > left) {
        throw new IllegalArgumentException(
            "attribute " + arg.lengthAttr() + " = " + count + ", but " + left + " inputs are left");
      }
      return (int) count;
    }
    // Without N, the list takes every input the arguments after it leave.
    int after = def.inputs().size() - 1 - def.inputs().indexOf(arg);
    return left - after;
  }

  /** A TensorFlow attribute value as the kind the op definition declares. */
  static AttrValue convert(AttrDef def, dev.millrace.graphdef.proto.AttrValue v) {
    AttrType kind = def.type();
    String name = def.name();
    return switch (kind) {
      case INT -> {
        require(
            v.hasI()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        yield AttrValue.of(v.getI());
      }
      case FLOAT -> {
        require(
            v.hasF()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        yield AttrValue.of((double) v.getF());
      }
      case BOOL -> {
        require(
            v.hasB()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        yield AttrValue.of(v.getB());
      }
      case STRING -> {
        require(
            v.hasS()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        yield AttrValue.of(v.getS().toStringUtf8());
      }
      case TYPE -> {
        require(v.hasType(), name, kind, v);
        yield AttrValue.of(TensorValues.dtype(v.getTypeValue()));
      }
      case SHAPE -> {
        require(v.hasShape(), name, kind, v);
        TensorShapeProto s = v.getShape();
        Shape shape = TensorValues.partialShape(s);
        yield shape == null
            ? dev.millrace.graph.AttrValue.ShapeValue.unknownRank()
            : AttrValue.of(shape);
      }
      case LIST_INT -> {
        require(
            v.hasList()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        long[] values = v.getList().getIList().stream().mapToLong(Long::longValue).toArray();
        yield AttrValue.of(values);
      }
      case LIST_TYPE -> {
        require(
            v.hasList()
                || v.getValueCase()
                    == dev.millrace.graphdef.proto.AttrValue.ValueCase.VALUE_NOT_SET,
            name,
            kind,
            v);
        List<DType> types = new ArrayList<>();
        for (int t : v.getList().getTypeValueList()) {
          types.add(TensorValues.dtype(t));
        }
        yield AttrValue.ofTypes(types);
      }
      case TENSOR -> {
        require(v.hasTensor(), name, kind, v);
        yield AttrValue.of(TensorValues.toTensor(v.getTensor()));
      }
    };
  }

  private static void require(
      boolean ok, String name, AttrType kind, dev.millrace.graphdef.proto.AttrValue v) {
    if (!ok) {
      throw new IllegalArgumentException(
          "attribute '"
              + name
              + "' should be a "
              + kind.tensorflowName()
              + ", the graph has a "
              + v.getValueCase().name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
