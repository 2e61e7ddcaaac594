package dev.millrace.graphdef;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.FunctionNodesView;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.DType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a GraphDef holds, as TensorFlow's {@code summarize_graph} tool reports it: the likely inputs
 * (Placeholders) and outputs (nodes nothing consumes, other than constants, assignments, no-ops and
 * placeholders), variables, the number of constant and variable parameters and the bytes they take,
 * control edges, devices, inputs that name no node, and how often each op type is used (in the
 * graph and in its function library).
 *
 * @param inputs the Placeholder nodes
 * @param variables the Variable and VariableV2 nodes
 * @param outputs nodes no other node consumes
 * @param constParameters elements of all Const nodes' values
 * @param constBytes bytes of those values (strings: their lengths)
 * @param variableParameters elements of the variables' declared shapes
 * @param controlEdges inputs of the form {@code ^node}
 * @param devices nodes per device, for the nodes that name one
 * @param invalidInputs inputs that name no node, as {@code node <- input}
 * @param undecodable Const nodes whose value could not be read, with the reason
 * @param opCounts nodes per op type, most used first (ties by name)
 */
public record GraphSummary(
    List<Endpoint> inputs,
    List<Endpoint> variables,
    List<Output> outputs,
    long constParameters,
    long constBytes,
    long variableParameters,
    int controlEdges,
    Map<String, Integer> devices,
    List<String> invalidInputs,
    List<String> undecodable,
    Map<String, Integer> opCounts) {
  /** A placeholder or variable: its name, element type and (partial) shape as TensorFlow prints. */
  public record Endpoint(String name, String dtype, int dtypeNumber, String shape) {}

  /** A likely output: its name and op type. */
  public record Output(String name, String op) {}

  private static final Set<String> UNLIKELY_OUTPUTS =
      Set.of("Const", "Assign", "NoOp", "Placeholder");

  /** Summarises {@code graph}. */
  public static GraphSummary of(GraphDef graph) {
    List<Endpoint> inputs = new ArrayList<>();
    List<Endpoint> variables = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> consumed = new HashSet<>();
    for (NodeDef n : graph.getNodeList()) {
      names.add(n.getName());
      for (String in : n.getInputList()) {
        consumed.add(GraphNames.nodeOf(in));
      }
    }
    List<Output> outputs = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    List<String> undecodable = new ArrayList<>();
    Map<String, Integer> devices = new TreeMap<>();
    long constParameters = 0;
    long constBytes = 0;
    long variableParameters = 0;
    int control = 0;
    for (NodeDef n : graph.getNodeList()) {
      switch (n.getOp()) {
        case "Placeholder" -> inputs.add(endpoint(n));
        case "Variable", "VariableV2" -> {
          variables.add(endpoint(n));
          variableParameters += declaredElements(n);
        }
        case "Const" -> {
          try {
            AttrValue value = n.getAttrOrThrow("value");
            long count = TensorValues.elementCount(value.getTensor());
            constParameters += count;
            constBytes += bytesOf(value, count);
          } catch (IllegalArgumentException e) {
            undecodable.add(n.getName() + ": " + e.getMessage());
          }
        }
        default -> {}
      }
      if (!consumed.contains(n.getName()) && !UNLIKELY_OUTPUTS.contains(n.getOp())) {
        outputs.add(new Output(n.getName(), n.getOp()));
      }
      for (String in : n.getInputList()) {
        if (in.startsWith("^")) {
          control++;
        }
        if (!names.contains(GraphNames.nodeOf(in))) {
          invalid.add(n.getName() + " <- " + in);
        }
      }
      if (!n.getDevice().isEmpty()) {
        devices.merge(n.getDevice(), 1, Integer::sum);
      }
    }
    return new GraphSummary(
        List.copyOf(inputs),
        List.copyOf(variables),
        List.copyOf(outputs),
        constParameters,
        constBytes,
        variableParameters,
        control,
        devices,
        List.copyOf(invalid),
        List.copyOf(undecodable),
        opCounts(graph));
  }

  private static Endpoint endpoint(NodeDef n) {
    int number = n.containsAttr("dtype") ? n.getAttrOrThrow("dtype").getTypeValue() : 0;
    DataType t = DataType.forNumber(number);
    String shape =
        n.containsAttr("shape") ? TensorValues.show(n.getAttrOrThrow("shape").getShape()) : "None";
    String name =
        t == null ? "unknown" : t.name().toLowerCase(Locale.ROOT).replaceFirst("^dt_", "");
    return new Endpoint(n.getName(), name, number, shape);
  }

  private static long declaredElements(NodeDef n) {
    if (!n.containsAttr("shape")) {
      return 0;
    }
    try {
      return TensorValues.definedShape(n.getAttrOrThrow("shape").getShape()).size();
    } catch (IllegalArgumentException | ArithmeticException e) {
      return 0;
    }
  }

  private static long bytesOf(AttrValue value, long count) {
    DType t = TensorValues.dtype(value.getTensor().getDtypeValue());
    if (t != DType.STRING) {
      return count * t.byteSize();
    }
    long bytes = 0;
    for (var s : value.getTensor().getStringValList()) {
      bytes += s.size();
    }
    return bytes;
  }

  private static Map<String, Integer> opCounts(GraphDef graph) {
    Map<String, Integer> counts = new TreeMap<>();
    for (NodeDef n : graph.getNodeList()) {
      counts.merge(n.getOp(), 1, Integer::sum);
    }
    if (graph.hasLibrary()) {
      try {
        FunctionNodesView lib = FunctionNodesView.parseFrom(graph.getLibrary().toByteString());
        for (FunctionNodesView.Function f : lib.getFunctionList()) {
          for (NodeDef n : f.getNodeDefList()) {
            counts.merge(n.getOp(), 1, Integer::sum);
          }
        }
      } catch (InvalidProtocolBufferException e) {
        // A library that does not parse as functions adds no counts; the graph is still summarised.
      }
    }
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(
        Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : sorted) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The report in the words and order of TensorFlow's {@code summarize_graph}, one item a line. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    if (inputs.isEmpty()) {
      b.append("No inputs spotted.\n");
    } else {
      b.append("Found ").append(inputs.size()).append(" possible inputs: ");
      inputs.forEach(e -> b.append(describe(e)));
      b.append('\n');
    }
    if (variables.isEmpty()) {
      b.append("No variables spotted.\n");
    } else {
      b.append("Found ").append(variables.size()).append(" variables: ");
      variables.forEach(e -> b.append(describe(e)));
      b.append('\n');
    }
    if (outputs.isEmpty()) {
      b.append("No outputs spotted.\n");
    } else {
      b.append("Found ").append(outputs.size()).append(" possible outputs: ");
      outputs.forEach(o -> b.append("(name=" + o.name() + ", op=" + o.op() + ") "));
      b.append('\n');
    }
    b.append(
        String.format(
            Locale.ROOT,
            "Found %d (%s) const parameters, %d (%s) variable parameters, and %d control_edges%n",
            constParameters,
            humanReadable(constParameters),
            variableParameters,
            humanReadable(variableParameters),
            controlEdges));
    b.append(String.format(Locale.ROOT, "Const parameters take %s%n", bytes(constBytes)));
    devices.forEach((d, n) -> b.append(n + " nodes assigned to device '" + d + "'\n"));
    invalidInputs.forEach(i -> b.append("Invalid input " + i + "\n"));
    undecodable.forEach(u -> b.append("Const value not readable: " + u + "\n"));
    b.append("Op types used: ");
    List<String> parts = new ArrayList<>();
    opCounts.forEach((op, n) -> parts.add(n + " " + op));
    b.append(String.join(", ", parts)).append('\n');
    return b.toString();
  }

  private static String describe(Endpoint e) {
    return "(name="
        + e.name()
        + ", type="
        + e.dtype()
        + "("
        + e.dtypeNumber()
        + "), shape="
        + e.shape()
        + ") ";
  }

  /** TensorFlow's {@code HumanReadableNum}: 272146 as {@code 272.15k}. */
  static String humanReadable(long n) {
    String[] units = {"", "k", "M", "B", "T", "q"};
    double v = n;
    int u = 0;
    while (Math.abs(v) >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? Long.toString(n) : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
  }

  private static String bytes(long b) {
    if (b < 1024) {
      return b + " bytes";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%,d bytes (%.1f KiB)", b, b / 1024.0);
    }
    return String.format(Locale.ROOT, "%,d bytes (%.1f MiB)", b, b / (1024.0 * 1024));
  }
}
