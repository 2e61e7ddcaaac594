package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.DataFormat;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A built-in network in inference mode only (moving batch-norm statistics, no dropout, no
 * optimizer), with the names a served model has: the image batch {@value #INPUT}, the {@value
 * #LOGITS} and their softmax, {@value #PROBABILITIES}. Its variables have the training graph's
 * names, so a training checkpoint restores into it.
 */
public final class InferenceGraph implements AutoCloseable {
  public static final String INPUT = "input";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";

  private final Graph graph;
  private final Session session;

  private InferenceGraph(
      BuiltinModel kind, ImageShape shape, int classes, DataFormat format, long seed) {
    graph = new Graph();
    BuildContext ctx = new BuildContext(graph, format, seed);
    Ops tf = ctx.ops();
    Output<Float32> images = tf.withName(INPUT).placeholder(FLOAT32, shape.batchShape(-1, format));
    Output<Float32> logits = kind.network(ctx, classes).apply(images, Mode.EVAL);
    Output<Float32> named = tf.withName(LOGITS).identity(logits);
    tf.withName(PROBABILITIES).nn.softmax(named);
    session = new Session(graph);
  }

  /**
   * The inference graph of the model trained in {@code checkpointDir}, with its variables set from
   * the checkpoint.
   *
   * @throws IOException naming the checkpoint when it is missing, damaged, of another model, or
   *     does not fit the graph
   */
  public static InferenceGraph fromCheckpoint(
      Path checkpointDir, BuiltinModel kind, DataFormat format) throws IOException {
    TrainingState state =
        TrainingCheckpoint.read(checkpointDir)
            .orElseThrow(
                () ->
                    new IOException(
                        checkpointDir.resolve(TrainingCheckpoint.STATE_FILE)
                            + ": no such file (train with --checkpoint-dir first)"));
    if (!state.model().equals(kind.cliName())) {
      throw new IOException(
          checkpointDir.resolve(TrainingCheckpoint.STATE_FILE)
              + ": the checkpoint is of model "
              + state.model()
              + ", not "
              + kind.cliName());
    }
    InferenceGraph g = new InferenceGraph(kind, state.shape(), state.classes(), format, 0);
    try {
      TrainingCheckpoint.restore(checkpointDir, g.session);
      return g;
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /**
   * The inference graph of an untrained model, its variables initialised from {@code seed} as
   * training would start them: for checking the graph itself (export, speed), not its accuracy.
   */
  public static InferenceGraph initialized(
      BuiltinModel kind, ImageShape shape, int classes, DataFormat format, long seed) {
    InferenceGraph g = new InferenceGraph(kind, shape, classes, format, seed);
    g.session.initialize();
    return g;
  }

  public Graph graph() {
    return graph;
  }

  /** A session whose variables hold the model's weights. */
  public Session session() {
    return session;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
