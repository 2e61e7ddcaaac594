package dev.millrace.bench.nn;

import dev.millrace.data.Batch;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.ImageShape;
import dev.millrace.nn.Model;
import dev.millrace.nn.StepRunner;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * A built-in model's training step on one fixed synthetic batch: what {@link TrainingStepBenchmark}
 * times and {@link StepBreakdown} takes apart. The same batch every step keeps the input pipeline
 * out of the figure.
 */
final class TrainingSteps implements AutoCloseable {
  final Model model;
  final Session session;
  final StepRunner runner;
  final Batch batch;
  private long step;

  TrainingSteps(BuiltinModel kind, DataFormat format, int batchSize, int threads) {
    this(kind, format, batchSize, 1, threads);
  }

  TrainingSteps(
      BuiltinModel kind, DataFormat format, int batchSize, int interOpThreads, int threads) {
    ImageShape shape = kind.designedFor().orElse(new ImageShape(28, 28, 1));
    model = Model.builder(kind, shape).format(format).seed(1).build();
    session = new Session(model.graph(), ThreadConfig.of(interOpThreads, threads));
    session.initialize();
    runner = new StepRunner(model, session, "image", "label", 7);
    batch = syntheticBatch(shape, format, batchSize, model.classes());
  }

  /** Images uniform in [0, 1), labels uniform over the classes, from a fixed seed. */
  static Batch syntheticBatch(ImageShape shape, DataFormat format, int size, int classes) {
    Random rnd = new Random(42);
    Shape imageShape = shape.batchShape(size, format);
    float[] pixels = new float[Math.toIntExact(imageShape.size())];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = rnd.nextFloat();
    }
    long[] labels = new long[size];
    for (int i = 0; i < size; i++) {
      labels[i] = rnd.nextInt(classes);
    }
    return Batch.of(
        size,
        List.of("image", "label"),
        List.of(Tensor.ofFloats(imageShape, pixels), Tensor.ofLongs(Shape.of(size), labels)));
  }

  StepRunner.Outcome step() {
    return runner.train(batch, step++);
  }

  @Override
  public void close() {
    session.close();
    model.close();
  }
}
