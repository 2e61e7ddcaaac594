package dev.millrace.cli;

import dev.millrace.data.Batch;
import dev.millrace.data.DatasetIterator;
import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.FusedQuantizedLayers;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.graphdef.transforms.StaticRanges;
import dev.millrace.nn.DataFolder;
import dev.millrace.nn.InputPipelines;
import dev.millrace.nn.InputSettings;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code millrace quantize}: static post-training quantization of a frozen float graph, the
 * activation ranges calibrated on real images, so that no RequantizationRange (and no Min/Max of an
 * activation) runs at inference time; optionally a report of float against eight-bit accuracy.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
      "Quantizes a frozen float GraphDef to eight bits with calibrated activation ranges. It folds"
          + " the graph for inference (batch norms into weights), quantizes weights and ops as"
          + " transform-graph's quantize_weights and quantize_nodes do, runs the float graph's"
          + " images from DATA (a folder written by millrace convert) through it to measure the"
          + " range of every activation, and writes those ranges into the graph as constants."
          + " Then each convolution or dense layer with its bias and ReLU becomes one of"
          + " TensorFlow's fused eight-bit ops, which adds the bias to the 32-bit sums and"
          + " rounds once, and a classifier's last layer leaves in float (--unfused keeps the"
          + " separate ops). The output loads in TensorFlow and runs in Millrace.",
      ""
    },
    sortOptions = false)
final class QuantizeCommand implements Callable<Integer> {
  /** The guide's inference preparation: what the graph computes, with batch norms folded. */
  private static final String FOLD =
      "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
          + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms";

  private static final String QUANTIZE = "quantize_weights quantize_nodes";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--in_graph", "--in-graph"},
      paramLabel = "A.pb",
      required = true,
      description = "The frozen float graph.")
  Path in;

  @Option(
      names = {"--out_graph", "--out-graph"},
      paramLabel = "B.pb",
      required = true,
      description = "Where the eight-bit graph goes (written atomically).")
  Path out;

  @Option(
      names = "--calibrate",
      paramLabel = "DATA",
      required = true,
      description = "A converted data set (its manifest's folder); its training split calibrates.")
  Path data;

  @Option(
      names = "--inputs",
      paramLabel = "NAME",
      defaultValue = "input",
      description = "The graph's image input (default: ${DEFAULT-VALUE}).")
  String input;

  @Option(
      names = "--outputs",
      paramLabel = "NAMES",
      defaultValue = "logits,probabilities",
      description = "The graph's outputs, comma-separated (default: ${DEFAULT-VALUE}).")
  String outputs;

  @Option(
      names = "--calibration-images",
      paramLabel = "N",
      defaultValue = "2000",
      description = "How many training images to calibrate on (default: ${DEFAULT-VALUE}).")
  int calibrationImages;

  @Option(
      names = "--range",
      paramLabel = "minmax|percentile",
      defaultValue = "minmax",
      description =
          "How a range is taken from the observed values: their minimum and maximum, or a"
              + " percentile that ignores rare outliers (default: ${DEFAULT-VALUE}).")
  String range;

  @Option(
      names = "--percentile",
      paramLabel = "P",
      defaultValue = "99.99",
      description =
          "With --range percentile: the P-th and (100-P)-th percentiles (default: ${DEFAULT-VALUE}).")
  double percentile;

  @Option(
      names = "--per-channel",
      description =
          "One weight range per output channel of each convolution instead of one per filter"
              + " (finer for filters whose channels differ in scale, such as after folded batch"
              + " norms). Matrix weights keep one range: TensorFlow's eight-bit matrix ops take"
              + " one.")
  boolean perChannel;

  @Option(
      names = "--unfused",
      description =
          "Keep quantize_nodes' separate eight-bit ops (QuantizedConv2D, Requantize,"
              + " QuantizedBiasAdd, QuantizedRelu) instead of one fused op per layer. The fused"
              + " ops round once per layer and run faster; TensorFlow runs them only in its"
              + " oneDNN builds (the default on x86-64 Linux), so this is for other builds.")
  boolean unfused;

  @Option(
      names = "--report",
      description =
          "Also run the float and the eight-bit graph on the held-out split (or the training split"
              + " without one) and print each one's accuracy and how often they agree.")
  boolean report;

  @Option(
      names = "--logits",
      paramLabel = "NAME",
      defaultValue = "logits",
      description =
          "With --report: the output whose largest value is the class (default: ${DEFAULT-VALUE}).")
  String logits;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "50",
      description = "Images per run (default: ${DEFAULT-VALUE}).")
  int batch;

  @Override
  public Integer call() throws IOException {
    if (!range.equals("minmax") && !range.equals("percentile")) {
      throw new IllegalArgumentException("--range: minmax or percentile, got '" + range + "'");
    }
    if (percentile <= 50 || percentile > 100) {
      throw new IllegalArgumentException("--percentile: a number in (50, 100], got " + percentile);
    }
    if (calibrationImages < 1 || batch < 1) {
      throw new IllegalArgumentException("--calibration-images and --batch must be at least 1");
    }
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GraphDef floatGraph = GraphDefFile.read(in);
    DataFolder folder = DataFolder.open(data);
    List<String> outs =
        Arrays.stream(outputs.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (perChannel && unfused) {
      throw new IllegalArgumentException(
          "--per-channel needs the fused ops: TensorFlow's separate QuantizedConv2D takes one"
              + " filter range");
    }
    GraphDef folded;
    GraphDef dynamic;
    try {
      folded = transform(floatGraph, outs, FOLD, err);
      dynamic = transform(folded, outs, QUANTIZE, err);
    } catch (IllegalArgumentException e) {
      throw new IOException(in + ": " + e.getMessage(), e);
    }
    List<StaticRanges.Point> points = StaticRanges.points(dynamic);
    Map<String, float[]> ranges = calibrate(dynamic, points, folder);
    GraphDef calibrated = StaticRanges.apply(dynamic, ranges, Set.copyOf(outs));
    GraphDef quantized =
        unfused
            ? calibrated
            : FusedQuantizedLayers.apply(calibrated, folded, perChannel, Set.copyOf(outs));
    GraphDefFile.write(out, quantized);
    o.printf(
        "Wrote %s: %d activation ranges calibrated (%s) on %d images of %s; %d nodes, %.1f %% of %s's size%n",
        out,
        ranges.size(),
        range.equals("minmax") ? "min/max" : percentile + "th percentile",
        calibrationImages,
        data,
        quantized.getNodeCount(),
        100.0 * Files.size(out) / Files.size(in),
        in);
    if (report) {
      report(o, floatGraph, dynamic, quantized, folder);
    }
    return 0;
  }

  private GraphDef transform(GraphDef g, List<String> outs, String steps, PrintWriter err) {
    return GraphTransforms.apply(
        g,
        List.of(input),
        outs,
        TransformSpec.parseAll(steps),
        OpRegistry.withBuiltins(),
        err::println);
  }

  private Map<String, float[]> calibrate(
      GraphDef dynamic, List<StaticRanges.Point> points, DataFolder folder) throws IOException {
    Map<String, RangeCalibration> observed = new LinkedHashMap<>();
    for (int i = 0; i < points.size(); i++) {
      observed.put(points.get(i).node(), new RangeCalibration(i));
    }
    InputSettings settings = new InputSettings(0, false, 0, -1);
    try (Graph g =
            GraphImporter.withBuiltins()
                .importGraph(StaticRanges.withProbes(dynamic, points), in.toString());
        Session s = new Session(g);
        DatasetIterator<Batch> it =
            InputPipelines.train(folder, DataFormat.NHWC, batch, settings, 0, 0).iterator()) {
      int seen = 0;
      while (seen < calibrationImages && it.hasNext()) {
        Batch b = it.next();
        Session.Runner r = s.runner().feed(input + ":0", b.get(folder.image()));
        points.forEach(p -> r.fetch(tensorName(p.observed())));
        try (Session.Result result = r.run()) {
          for (int k = 0; k < points.size(); k++) {
            observed.get(points.get(k).node()).observe(result.get(k));
          }
        }
        seen += b.size();
      }
    }
    Map<String, float[]> ranges = new LinkedHashMap<>();
    observed.forEach(
        (node, c) ->
            ranges.put(node, range.equals("minmax") ? c.minMax() : c.percentile(percentile)));
    return ranges;
  }

  /**
   * Top-1 of the float graph, of the eight-bit graph with ranges measured at run time (what
   * quantize_nodes alone gives) and of the calibrated one, and how often each eight-bit graph picks
   * the float graph's class.
   */
  private void report(
      PrintWriter o, GraphDef floatGraph, GraphDef dynamic, GraphDef calibrated, DataFolder folder)
      throws IOException {
    List<GraphDef> graphs = List.of(floatGraph, dynamic, calibrated);
    List<String> names = List.of("float", "8-bit, ranges at run time", "8-bit, calibrated");
    int images = 0;
    int[] right = new int[3];
    int[] agree = new int[3];
    List<Graph> imported = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    try {
      for (GraphDef g : graphs) {
        Graph graph = GraphImporter.withBuiltins().importGraph(g, in.toString());
        imported.add(graph);
        sessions.add(new Session(graph));
      }
      try (DatasetIterator<Batch> it = heldOut(folder).iterator()) {
        while (it.hasNext()) {
          Batch b = it.next();
          Tensor x = b.get(folder.image());
          Tensor labels = b.get(folder.label());
          int[][] c = new int[3][];
          for (int k = 0; k < 3; k++) {
            c[k] = classes(sessions.get(k), x);
          }
          for (int i = 0; i < b.size(); i++) {
            for (int k = 0; k < 3; k++) {
              right[k] += c[k][i] == labels.getLong(i) ? 1 : 0;
              agree[k] += c[k][i] == c[0][i] ? 1 : 0;
            }
          }
          images += b.size();
        }
      }
    } finally {
      sessions.forEach(Session::close);
      imported.forEach(Graph::close);
    }
    o.printf("%-28s %8s %12s%n", "on " + images + " images", "top-1", "float's class");
    for (int k = 0; k < 3; k++) {
      o.printf(
          "%-28s %7.2f %% %11.2f %%%n",
          names.get(k), 100.0 * right[k] / images, 100.0 * agree[k] / images);
    }
  }

  private dev.millrace.data.Dataset<Batch> heldOut(DataFolder folder) {
    InputSettings settings = new InputSettings(0, false, 0, -1);
    return folder.hasEval()
        ? InputPipelines.eval(folder, DataFormat.NHWC, batch, settings)
        : InputPipelines.train(folder, DataFormat.NHWC, batch, settings, 0, 0);
  }

  private int[] classes(Session s, Tensor x) {
    try (Session.Result r = s.runner().feed(input + ":0", x).fetch(tensorName(logits)).run()) {
      Tensor l = r.get(0);
      int n = (int) l.shape().dim(0);
      int k = (int) (l.size() / n);
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < k; j++) {
          if (l.getFloat(i * k + j) > l.getFloat(i * k + best)) {
            best = j;
          }
        }
        out[i] = best;
      }
      return out;
    }
  }

  private static String tensorName(String input) {
    int colon = input.lastIndexOf(':');
    return colon > 0 && input.substring(colon + 1).chars().allMatch(Character::isDigit)
        ? input
        : input + ":0";
  }
}
