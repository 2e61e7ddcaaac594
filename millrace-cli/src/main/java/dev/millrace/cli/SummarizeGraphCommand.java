package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.records.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code millrace summarize-graph}: TensorFlow's {@code summarize_graph}, without Bazel. */
@Command(
    name = "summarize-graph",
    mixinStandardHelpOptions = true,
    description = {
      "Prints what a TensorFlow GraphDef (.pb, or .pbtxt text) holds, as TensorFlow's"
          + " summarize_graph tool does: its likely inputs and outputs, variables, the number of"
          + " constant and variable parameters and the bytes they take, control edges, devices,"
          + " and the op types used.",
      "A graph whose inputs name nodes it does not have is reported, and the command fails.",
      ""
    },
    sortOptions = false)
final class SummarizeGraphCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "GRAPH",
      arity = "0..1",
      description = "The GraphDef file (or give it with --in_graph).")
  Path graph;

  @Option(
      names = {"--in_graph", "--in-graph"},
      paramLabel = "GRAPH",
      description = "The GraphDef file, as TensorFlow's tool takes it.")
  Path inGraph;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    if ((graph == null) == (inGraph == null)) {
      throw new IllegalArgumentException("give the graph file once: GRAPH or --in_graph GRAPH");
    }
    Path file = graph != null ? graph : inGraph;
    GraphSummary s = GraphSummary.of(GraphDefFile.read(file));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Manifest.json().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(s)));
    } else {
      out.print(s.toText());
    }
    out.flush();
    if (!s.invalidInputs().isEmpty()) {
      throw new IOException(
          file
              + ": "
              + s.invalidInputs().size()
              + " input(s) name nodes the graph does not have, the first "
              + s.invalidInputs().getFirst());
    }
    return 0;
  }

  private static ObjectNode toJson(GraphSummary s) {
    ObjectNode o = Manifest.json().createObjectNode();
    ArrayNode inputs = o.putArray("inputs");
    for (GraphSummary.Endpoint e : s.inputs()) {
      inputs.addObject().put("name", e.name()).put("dtype", e.dtype()).put("shape", e.shape());
    }
    ArrayNode variables = o.putArray("variables");
    for (GraphSummary.Endpoint e : s.variables()) {
      variables.addObject().put("name", e.name()).put("dtype", e.dtype()).put("shape", e.shape());
    }
    ArrayNode outputs = o.putArray("outputs");
    for (GraphSummary.Output e : s.outputs()) {
      outputs.addObject().put("name", e.name()).put("op", e.op());
    }
    o.put("const_parameters", s.constParameters());
    o.put("const_bytes", s.constBytes());
    o.put("variable_parameters", s.variableParameters());
    o.put("control_edges", s.controlEdges());
    ObjectNode devices = o.putObject("devices");
    s.devices().forEach(devices::put);
    ArrayNode invalid = o.putArray("invalid_inputs");
    s.invalidInputs().forEach(invalid::add);
    ArrayNode undecodable = o.putArray("unreadable_consts");
    s.undecodable().forEach(undecodable::add);
    ObjectNode ops = o.putObject("op_counts");
    s.opCounts().forEach(ops::put);
    return o;
  }
}
