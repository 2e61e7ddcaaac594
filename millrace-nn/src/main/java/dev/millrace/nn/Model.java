package dev.millrace.nn;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT64;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.train.Optimizer;
import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Int64;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A built-in network compiled into one graph twice over the same variables: a training step (batch
 * statistics, dropout, the optimizer's update and batch norm's moving averages) and an evaluation
 * pass (moving statistics, no dropout). Both read the same {@code images} and {@code labels}
 * placeholders; a session runs only the part a call needs.
 */
public final class Model implements AutoCloseable {
  private final BuiltinModel kind;
  private final ImageShape imageShape;
  private final int classes;
  private final DataFormat format;
  private final Graph graph;
  private final Output<Float32> images;
  private final Output<Int64> labels;
  private final Output<Float32> loss;
  private final Output<Float32> correct;
  private final Operation trainStep;
  private final Output<Float32> evalLossSum;
  private final Output<Float32> evalCorrect;
  private final Output<Float32> evalLogits;
  private final List<RandomMask> masks;

  private Model(Builder b) {
    this.kind = b.kind;
    this.imageShape = b.shape;
    this.classes = b.classes;
    this.format = b.format;
    this.graph = new Graph();
    BuildContext ctx = new BuildContext(graph, format, b.seed);
    Ops tf = ctx.ops();
    images = tf.withName("images").placeholder(FLOAT32, b.shape.batchShape(-1, format));
    labels = tf.withName("labels").placeholder(INT64, Shape.of(-1));
    Layer network = kind.network(ctx, classes);

    Ops train = tf.withSubScope("train");
    Output<Float32> logits = network.apply(images, Mode.TRAIN);
    loss = train.withName("loss").mean(crossEntropy(train, logits), 0);
    correct = correctCount(train, logits);
    Optimizer optimizer = b.recipe.build(b.totalSteps);
    List<Operation> step = new ArrayList<>();
    step.add(optimizer.minimize(loss));
    step.addAll(ctx.trainUpdates());
    trainStep = train.withName("step").group(step);
    masks = ctx.masks();

    Ops eval = tf.withSubScope("eval");
    evalLogits = network.apply(images, Mode.EVAL);
    evalLossSum = eval.withName("loss_sum").sum(crossEntropy(eval, evalLogits), 0);
    evalCorrect = correctCount(eval, evalLogits);
  }

  private Output<Float32> crossEntropy(Ops tf, Output<Float32> logits) {
    return tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
  }

  private Output<Float32> correctCount(Ops tf, Output<Float32> logits) {
    return tf.withName("correct").sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), FLOAT32), 0);
  }

  /** Starts describing a model of {@code kind} for images of {@code shape}. */
  public static Builder builder(BuiltinModel kind, ImageShape shape) {
    return new Builder(kind, shape);
  }

  public BuiltinModel kind() {
    return kind;
  }

  public ImageShape imageShape() {
    return imageShape;
  }

  public int classes() {
    return classes;
  }

  public DataFormat format() {
    return format;
  }

  public Graph graph() {
    return graph;
  }

  /** The image batch, float32 in the model's data format. */
  public Output<Float32> images() {
    return images;
  }

  /** The labels, int64 {@code [batch]} in {@code [0, classes)}. */
  public Output<Int64> labels() {
    return labels;
  }

  /** The training loss: mean cross-entropy of the batch (training mode). */
  public Output<Float32> loss() {
    return loss;
  }

  /** How many of the batch's examples the training-mode logits classify right (float32). */
  public Output<Float32> correct() {
    return correct;
  }

  /** Running this applies one optimizer update and moves batch norm's moving averages. */
  public Operation trainStep() {
    return trainStep;
  }

  /** The sum of the batch's cross-entropies in evaluation mode. */
  public Output<Float32> evalLossSum() {
    return evalLossSum;
  }

  /** How many of the batch's examples the evaluation-mode logits classify right. */
  public Output<Float32> evalCorrect() {
    return evalCorrect;
  }

  /** The evaluation-mode logits {@code [batch, classes]}. */
  public Output<Float32> evalLogits() {
    return evalLogits;
  }

  /** The dropout masks a training step must feed (empty for a model without dropout). */
  public List<RandomMask> masks() {
    return masks;
  }

  @Override
  public void close() {
    graph.close();
  }

  /** What a model is built from; {@link #build()} compiles it. */
  public static final class Builder {
    private final BuiltinModel kind;
    private final ImageShape shape;
    private int classes = 10;
    private DataFormat format = DataFormat.NHWC;
    private Recipe recipe;
    private long totalSteps;
    private long seed;

    private Builder(BuiltinModel kind, ImageShape shape) {
      this.kind = kind;
      this.shape = shape;
      this.recipe = kind.recipe();
    }

    public Builder classes(int value) {
      if (value < 2) {
        throw new IllegalArgumentException("a classifier needs >= 2 classes, got " + value);
      }
      classes = value;
      return this;
    }

    public Builder format(DataFormat value) {
      format = value;
      return this;
    }

    public Builder recipe(Recipe value) {
      recipe = value;
      return this;
    }

    /** The run's length in updates, for the learning-rate schedule (0: constant rate). */
    public Builder totalSteps(long value) {
      totalSteps = value;
      return this;
    }

    /** The seed of every initialiser (and of nothing else). */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Model build() {
      kind.designedFor()
          .filter(d -> !d.equals(shape))
          .ifPresent(
              d -> {
                throw new IllegalArgumentException(
                    kind.cliName() + " is built for " + d + " images, the data has " + shape);
              });
      return new Model(this);
    }
  }
}
