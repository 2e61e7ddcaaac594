package dev.millrace.cli;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --data-format NHWC|NCHW} for the commands that run a GraphDef: imports the graph with its
 * convolutions switched to that layout by {@code set_data_format}, so a user can run an NHWC graph
 * in NCHW (or a GPU-trained NCHW graph in NHWC) without rewriting the file first.
 */
final class DataFormatOption {
  @Option(
      names = "--data-format",
      paramLabel = "NHWC|NCHW",
      description =
          "Run the convolutions in this layout (the graph's own when not given); inputs and"
              + " outputs keep theirs.")
  String dataFormat;

  /**
   * Reads and imports {@code file}, in the layout asked for.
   *
   * @param outputs the node names the caller fetches: they keep the graph's layout
   */
  Graph importGraph(Path file, List<String> outputs) throws IOException {
    OpRegistry registry = OpRegistry.withBuiltins();
    GraphImporter importer = new GraphImporter(registry);
    if (dataFormat == null) {
      return importer.importFile(file);
    }
    if (!dataFormat.equals("NHWC") && !dataFormat.equals("NCHW")) {
      throw new IllegalArgumentException("--data-format " + dataFormat + ": expected NHWC or NCHW");
    }
    GraphDef g = GraphDefFile.read(file);
    GraphDef switched =
        GraphTransforms.apply(
            g,
            List.of(),
            outputs,
            TransformSpec.parseAll("set_data_format(data_format=" + dataFormat + ")"),
            registry,
            m -> {});
    return importer.importGraph(switched, file.toString());
  }
}
