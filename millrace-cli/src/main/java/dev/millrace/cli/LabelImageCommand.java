package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.data.ImageResize;
import dev.millrace.data.Images;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Session;
import dev.millrace.records.Manifest;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace label-image}: TensorFlow's {@code label_image}, without Bazel. */
@Command(
    name = "label-image",
    mixinStandardHelpOptions = true,
    description = {
      "Classifies an image with a frozen TensorFlow graph, as TensorFlow's label_image does:"
          + " decodes the JPEG/PNG/BMP/GIF, resizes it (bilinear) to the input size, converts it"
          + " to the graph's channel count, normalises each value as (pixel - mean) / std, runs"
          + " the graph and prints the top results, highest first: <label> (<index>): <score>.",
      "Input size and channels default to the input layer's shape ([?, height, width,"
          + " channels]); 'millrace export' writes graphs whose layers are named as the defaults"
          + " here expect.",
      ""
    },
    sortOptions = false)
final class LabelImageCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--graph", paramLabel = "G.pb", required = true, description = "The graph.")
  Path graph;

  @Option(
      names = "--labels",
      paramLabel = "L.txt",
      description = "One label per line, for output index 0, 1, ... (default: indices only).")
  Path labels;

  @Option(names = "--image", paramLabel = "IMG", required = true, description = "The image.")
  Path image;

  @Option(
      names = {"--input_width", "--input-width"},
      paramLabel = "W",
      description = "Width the image is resized to (default: the input layer's).")
  Integer width;

  @Option(
      names = {"--input_height", "--input-height"},
      paramLabel = "H",
      description = "Height the image is resized to (default: the input layer's).")
  Integer height;

  @Option(
      names = {"--input_mean", "--input-mean"},
      paramLabel = "M",
      defaultValue = "0",
      description = "Subtracted from each pixel value (default: ${DEFAULT-VALUE}).")
  float mean;

  @Option(
      names = {"--input_std", "--input-std"},
      paramLabel = "S",
      defaultValue = "255",
      description = "Divides each pixel value after the mean (default: ${DEFAULT-VALUE}).")
  float std;

  @Option(
      names = {"--input_layer", "--input-layer"},
      paramLabel = "NAME",
      defaultValue = "input",
      description = "The image batch's node (default: ${DEFAULT-VALUE}).")
  String inputLayer;

  @Option(
      names = {"--output_layer", "--output-layer"},
      paramLabel = "NAME",
      defaultValue = "probabilities",
      description = "The scores' node (default: ${DEFAULT-VALUE}).")
  String outputLayer;

  @Option(
      names = "--top",
      paramLabel = "N",
      defaultValue = "5",
      description = "How many results to print (default: ${DEFAULT-VALUE}).")
  int top;

  @Mixin DataFormatOption layout;

  @Option(names = "--json", description = "Print one JSON object: results and latency_ms.")
  boolean json;

  /** One line of the answer. */
  record Result(String label, int index, float score) {}

  @Override
  public Integer call() throws IOException {
    if (top < 1 || !(std != 0)) {
      throw new IllegalArgumentException("--top must be >= 1 and --input_std not 0");
    }
    List<String> names = labels == null ? List.of() : readLabels(labels);
    try (Graph g = layout.importGraph(graph, List.of(outputLayer));
        Session s = new Session(g)) {
      Operation in = node(g, inputLayer);
      node(g, outputLayer);
      Shape declared = in.output(0).hasKnownRank() ? in.output(0).shape() : null;
      int channels = dim(declared, 3, 3);
      int h = height != null ? height : dim(declared, 1, -1);
      int w = width != null ? width : dim(declared, 2, -1);
      if (h < 1 || w < 1) {
        throw new IllegalArgumentException(
            graph
                + ": '"
                + inputLayer
                + "' has no fixed image size: give --input_height and --input_width");
      }
      Tensor batch = preprocess(Images.decode(image, channels), h, w);
      long start = System.nanoTime();
      float[] scores;
      try (Session.Result r =
          s.runner().feed(inputLayer + ":0", batch).fetch(outputLayer + ":0").run()) {
        scores = r.get(0).toFloatArray();
      }
      double ms = (System.nanoTime() - start) / 1e6;
      print(best(scores, names), ms);
    }
    return 0;
  }

  private Operation node(Graph g, String name) {
    return g.operation(name)
        .orElseThrow(
            () -> new IllegalArgumentException(graph + ": the graph has no node '" + name + "'"));
  }

  private static int dim(Shape s, int i, int fallback) {
    if (s == null || s.rank() != 4 || s.dim(i) < 1) {
      return fallback;
    }
    return (int) s.dim(i);
  }

  /** {@code [1, h, w, c]} float: resized, then {@code (v - mean) / std}. */
  private Tensor preprocess(Tensor decoded, int h, int w) {
    float[] v = ImageResize.bilinear(decoded, h, w).toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = (v[i] - mean) / std;
    }
    return Tensor.ofFloats(Shape.of(1, h, w, decoded.shape().dim(2)), v);
  }

  private List<Result> best(float[] scores, List<String> names) {
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> i))
        .limit(top)
        .map(i -> new Result(i < names.size() ? names.get(i) : "", i, scores[i]))
        .toList();
  }

  private void print(List<Result> results, double ms) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = Manifest.json().createObjectNode();
      ArrayNode list = o.putArray("results");
      for (Result r : results) {
        list.addObject().put("label", r.label()).put("index", r.index()).put("score", r.score());
      }
      o.put("latency_ms", ms);
      out.println(Manifest.json().writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } else {
      for (Result r : results) {
        String label = r.label().isEmpty() ? "" : r.label() + " ";
        out.printf(Locale.ROOT, "%s(%d): %s%n", label, r.index(), r.score());
      }
    }
    out.flush();
  }

  private static List<String> readLabels(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(line.strip());
    }
    return out;
  }
}
