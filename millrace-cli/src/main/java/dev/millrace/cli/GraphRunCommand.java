package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.Manifest;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace graph run}: feed raw float32 files to a GraphDef, write what it fetches. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Imports a TensorFlow GraphDef, feeds each --feed tensor from a raw little-endian float32"
          + " file, runs the graph once and writes each --fetch tensor to its --out file the same"
          + " way (row-major, no header), for scripting and for comparing with TensorFlow.",
      "Tensor names are TensorFlow's: 'input' is 'input:0'.",
      ""
    },
    sortOptions = false)
final class GraphRunCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--graph", paramLabel = "G.pb", required = true, description = "The GraphDef.")
  Path graph;

  @Option(
      names = "--feed",
      paramLabel = "NAME=FILE:D0xD1x...",
      required = true,
      description = "A tensor to feed, its file and shape, e.g. input=batch.f32:8x32x32x3.")
  List<String> feeds;

  @Option(
      names = "--fetch",
      paramLabel = "NAME",
      required = true,
      description = "A tensor to fetch (repeatable).")
  List<String> fetches;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      required = true,
      description = "Where each fetched tensor goes, one --out per --fetch, in order.")
  List<Path> outs;

  @Mixin DataFormatOption layout;

  @Option(names = "--json", description = "Print one JSON object with shapes and the latency.")
  boolean json;

  /** One parsed {@code --feed}. */
  record Feed(String name, Path file, Shape shape) {}

  @Override
  public Integer call() throws IOException {
    if (outs.size() != fetches.size()) {
      throw new IllegalArgumentException(
          fetches.size() + " --fetch but " + outs.size() + " --out: give one --out per --fetch");
    }
    List<Feed> parsed = new ArrayList<>();
    for (String f : feeds) {
      parsed.add(parseFeed(f));
    }
    List<Tensor> inputs = new ArrayList<>();
    for (Feed f : parsed) {
      inputs.add(readFloats(f));
    }
    List<String> fetchedNodes = fetches.stream().map(GraphRunCommand::nodeOf).toList();
    try (Graph g = layout.importGraph(graph, fetchedNodes);
        Session s = new Session(g)) {
      Session.Runner runner = s.runner();
      for (int i = 0; i < parsed.size(); i++) {
        runner.feed(tensorName(g, parsed.get(i).name()), inputs.get(i));
      }
      for (String f : fetches) {
        runner.fetch(tensorName(g, f));
      }
      long start = System.nanoTime();
      try (Session.Result r = runner.run()) {
        double ms = (System.nanoTime() - start) / 1e6;
        // Every fetch is checked before the first file is written: all files or none.
        for (int i = 0; i < fetches.size(); i++) {
          if (r.get(i).dtype() != DType.FLOAT32) {
            throw new IOException(
                graph
                    + ": "
                    + fetches.get(i)
                    + " is "
                    + r.get(i).dtype().tensorflowName()
                    + ", and --out writes float32 only");
          }
        }
        for (int i = 0; i < fetches.size(); i++) {
          writeFloats(outs.get(i), r.get(i));
        }
        report(r, ms);
      }
    }
    return 0;
  }

  private void report(Session.Result r, double ms) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = Manifest.json().createObjectNode();
      ArrayNode list = o.putArray("fetches");
      for (int i = 0; i < fetches.size(); i++) {
        ObjectNode f = list.addObject();
        f.put("name", fetches.get(i));
        ArrayNode shape = f.putArray("shape");
        for (long d : r.get(i).shape().dims()) {
          shape.add(d);
        }
        f.put("out", outs.get(i).toString());
      }
      o.put("latency_ms", ms);
      out.println(Manifest.json().writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } else {
      for (int i = 0; i < fetches.size(); i++) {
        out.printf(Locale.ROOT, "%s %s -> %s%n", fetches.get(i), r.get(i).shape(), outs.get(i));
      }
      out.printf(Locale.ROOT, "ran in %.1f ms%n", ms);
    }
    out.flush();
  }

  private static String nodeOf(String name) {
    return name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
  }

  /** {@code input} is {@code input:0}; a name with an output index is kept. */
  private String tensorName(Graph g, String name) {
    String node = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
    if (g.operation(node).isEmpty()) {
      throw new IllegalArgumentException(graph + ": the graph has no node '" + node + "'");
    }
    return name.contains(":") ? name : name + ":0";
  }

  static Feed parseFeed(String spec) {
    int eq = spec.indexOf('=');
    int colon = spec.lastIndexOf(':');
    if (eq <= 0 || colon <= eq + 1 || colon == spec.length() - 1) {
      throw new IllegalArgumentException(
          "--feed " + spec + ": expected NAME=FILE:D0xD1x..., e.g. input=batch.f32:8x32x32x3");
    }
    String[] parts = spec.substring(colon + 1).split("x", -1);
    long[] dims = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        dims[i] = Long.parseLong(parts[i].trim());
      } catch (NumberFormatException e) {
        dims[i] = -1;
      }
      if (dims[i] < 0) {
        throw new IllegalArgumentException(
            "--feed "
                + spec
                + ": shape '"
                + spec.substring(colon + 1)
                + "' must be sizes like 8x32x32x3");
      }
    }
    return new Feed(spec.substring(0, eq), Path.of(spec.substring(eq + 1, colon)), Shape.of(dims));
  }

  private static Tensor readFloats(Feed f) throws IOException {
    long want = f.shape().size() * 4;
    long size = Files.size(f.file());
    if (size != want) {
      throw new IOException(
          f.file() + ": " + size + " bytes, but float32 " + f.shape() + " needs " + want);
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f.file())).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[(int) f.shape().size()];
    b.asFloatBuffer().get(v);
    return Tensor.ofFloats(f.shape(), v);
  }

  private static void writeFloats(Path file, Tensor t) throws IOException {
    ByteBuffer b =
        ByteBuffer.allocate(Math.toIntExact(t.size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(t.toFloatArray());
    AtomicFiles.write(file, out -> out.write(b.array()));
  }
}
