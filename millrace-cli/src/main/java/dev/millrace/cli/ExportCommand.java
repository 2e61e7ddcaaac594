package dev.millrace.cli;

import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphExporter;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.InferenceGraph;
import dev.millrace.tensor.DataFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace export}: a trained model as a frozen TensorFlow GraphDef. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the model trained in a checkpoint folder as a frozen TensorFlow GraphDef: the"
          + " inference graph (batch norm with its moving statistics, no dropout), every weight"
          + " a Const, the image batch named 'input' and the outputs 'logits' and"
          + " 'probabilities'. TensorFlow loads and runs the file as it is.",
      ""
    },
    sortOptions = false)
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      required = true,
      description = "The --checkpoint-dir of a 'millrace train' run.")
  Path checkpoint;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      required = true,
      description = "The model the checkpoint holds (linear, tf-tutorial-cnn, ...).")
  String model;

  @Option(
      names = "--format",
      paramLabel = "NHWC|NCHW",
      defaultValue = "NHWC",
      description =
          "Data format of the exported graph, as the model was trained (default:"
              + " ${DEFAULT-VALUE}; TensorFlow's CPU kernels run NHWC only).")
  String format;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "The .pb to write.")
  Path out;

  @Override
  public Integer call() throws IOException {
    GraphDef g = export(checkpoint, BuiltinModel.parse(model), DataFormat.parse(format));
    GraphDefFile.write(out, g);
    spec.commandLine()
        .getOut()
        .printf(
            "Wrote %s: %d nodes, input 'input', outputs 'logits' and 'probabilities'%n",
            out, g.getNodeCount());
    return 0;
  }

  /** The frozen inference graph of the model trained in {@code dir}. */
  static GraphDef export(Path dir, BuiltinModel kind, DataFormat format) throws IOException {
    try (InferenceGraph g = InferenceGraph.fromCheckpoint(dir, kind, format)) {
      return GraphExporter.export(
          g.graph(), g.session(), List.of(InferenceGraph.LOGITS, InferenceGraph.PROBABILITIES));
    }
  }
}
