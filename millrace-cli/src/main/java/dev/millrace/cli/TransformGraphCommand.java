package dev.millrace.cli;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace transform-graph}: TensorFlow's {@code transform_graph}, without Bazel. */
@Command(
    name = "transform-graph",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrites a TensorFlow GraphDef with a list of transforms, in TensorFlow's transform_graph"
          + " syntax: name(key=value, key=\"a,b\") separated by spaces, ignore_errors=true to"
          + " keep going past a step that does not apply. The output is written atomically.",
      "Transforms: add_default_attributes, fold_batch_norms, fold_constants(exclude_op,"
          + " max_constant_size_in_bytes), fold_old_batch_norms, merge_duplicate_nodes,"
          + " quantize_weights(minimum_size),"
          + " remove_attribute(attribute_name, op_name), remove_nodes(op, max_inputs),"
          + " rename_attribute(old_attribute_name, new_attribute_name, op_name),"
          + " round_weights(num_steps), set_data_format(data_format=NCHW|NHWC),"
          + " set_device(device, if_default),"
          + " sort_by_execution_order, strip_unused_nodes(type, shape, name, type_for_name,"
          + " shape_for_name).",
      "For inference: --transforms 'strip_unused_nodes remove_nodes(op=Identity,"
          + " op=CheckNumerics) fold_constants(ignore_errors=true) fold_batch_norms"
          + " fold_old_batch_norms'.",
      ""
    },
    sortOptions = false)
final class TransformGraphCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--in_graph", "--in-graph"},
      paramLabel = "A.pb",
      required = true,
      description = "The graph to transform (.pb, or .pbtxt text).")
  Path in;

  @Option(
      names = {"--out_graph", "--out-graph"},
      paramLabel = "B.pb",
      required = true,
      description = "Where the transformed graph goes (.pbtxt writes text).")
  Path out;

  @Option(
      names = "--inputs",
      paramLabel = "NAMES",
      defaultValue = "",
      description = "The graph's input nodes, comma-separated.")
  String inputs;

  @Option(
      names = "--outputs",
      paramLabel = "NAMES",
      defaultValue = "",
      description = "The graph's output nodes, comma-separated.")
  String outputs;

  @Option(
      names = "--transforms",
      paramLabel = "LIST",
      required = true,
      description = "The transforms to apply, in order.")
  String transforms;

  @Override
  public Integer call() throws IOException {
    List<TransformSpec> steps = TransformSpec.parseAll(transforms);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("--transforms: give at least one transform");
    }
    GraphDef graph = GraphDefFile.read(in);
    PrintWriter err = spec.commandLine().getErr();
    GraphDef result;
    try {
      result =
          GraphTransforms.apply(
              graph, names(inputs), names(outputs), steps, OpRegistry.withBuiltins(), err::println);
    } catch (IllegalArgumentException e) {
      throw new IOException(in + ": " + e.getMessage(), e);
    }
    GraphDefFile.write(out, result);
    spec.commandLine()
        .getOut()
        .printf(
            "Wrote %s: %d nodes (from %d in %s)%n",
            out, result.getNodeCount(), graph.getNodeCount(), in);
    return 0;
  }

  private static List<String> names(String csv) {
    return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
