package dev.millrace.cli;

import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.DataFolder;
import dev.millrace.nn.InputSettings;
import dev.millrace.nn.OptimizerKind;
import dev.millrace.nn.Recipe;
import dev.millrace.nn.TrainConfig;
import dev.millrace.tensor.DataFormat;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options {@code train} and {@code doctor} share: the data, the model, its recipe and the input
 * pipeline — so that the doctor diagnoses exactly the job {@code train} would run.
 */
final class TrainingOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      required = true,
      description =
          "A folder written by 'millrace convert' (its manifest.json names the splits: train, and"
              + " test, eval or validation to evaluate on).")
  Path data;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      required = true,
      description = "linear, tf-tutorial-cnn, fashion-cnn (28×28×1) or resnet20 (32×32×3).")
  String model;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "Examples per step (default: the model's, e.g. 100 for tf-tutorial-cnn).")
  Integer batch;

  @Option(
      names = "--format",
      paramLabel = "NCHW|NHWC",
      defaultValue = "NHWC",
      description = "Data format of the activations (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--optimizer",
      paramLabel = "NAME",
      description = "sgd, momentum (0.9) or adam (default: the model's).")
  String optimizer;

  @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: the model's).")
  Double learningRate;

  @Option(
      names = "--lr-schedule",
      paramLabel = "constant|cosine",
      description =
          "Keep the rate constant, or decay it along a cosine to zero over the whole run"
              + " (default: the model's).")
  String learningRateSchedule;

  @Option(
      names = "--weight-decay",
      paramLabel = "X",
      description = "L2 weight decay added to each kernel's gradient (default: the model's).")
  Double weightDecay;

  @Option(
      names = "--input-threads",
      paramLabel = "N",
      defaultValue = "0",
      description = "Threads decoding the input (default: 0, autotuned).")
  int inputThreads;

  @Option(
      names = "--augment",
      description = "Random crop (an eighth of the side) and horizontal flip of training images.")
  boolean augment;

  @Option(
      names = "--shuffle-buffer",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Records the shuffle draws from (default: ${DEFAULT-VALUE}; 0: no shuffle).")
  int shuffleBuffer;

  @Option(
      names = "--prefetch",
      paramLabel = "N",
      defaultValue = "-1",
      description = "Batches prepared ahead of the step (default: -1, autotuned; 0: none).")
  int prefetch;

  @Option(
      names = "--classes",
      paramLabel = "N",
      defaultValue = "10",
      description = "Number of classes; labels must lie in [0, N) (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Seed of initialisation, shuffling, augmentation and dropout (default: ${DEFAULT-VALUE}).")
  long seed;

  BuiltinModel builtinModel() {
    return BuiltinModel.parse(model);
  }

  /** The recipe: the model's, with what the command line overrides. */
  Recipe recipe(BuiltinModel m) {
    Recipe r = m.recipe();
    if (optimizer != null) {
      r = r.withOptimizer(OptimizerKind.parse(optimizer));
    }
    if (learningRate != null) {
      r = r.withLearningRate(learningRate);
    }
    if (batch != null) {
      r = r.withBatch(batch);
    }
    if (weightDecay != null) {
      r = r.withWeightDecay(weightDecay);
    }
    if (learningRateSchedule != null) {
      r = r.withCosineDecay(parseSchedule(learningRateSchedule));
    }
    return r;
  }

  /** {@code true} for cosine decay, {@code false} for a constant rate. */
  static boolean parseSchedule(String name) {
    return switch (name.trim()) {
      case "cosine" -> true;
      case "constant" -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown --lr-schedule '" + name + "' (expected constant or cosine)");
    };
  }

  InputSettings input() {
    return new InputSettings(inputThreads, augment, shuffleBuffer, prefetch);
  }

  /** The configuration of one epoch of this job (callers add epochs and checkpoints). */
  TrainConfig config() throws IOException {
    BuiltinModel m = builtinModel();
    DataFolder folder = DataFolder.open(data);
    java.util.Optional<dev.millrace.nn.ImageShape> designed = m.designedFor();
    if (designed.isPresent() && !designed.get().equals(folder.shape())) {
      throw new IOException(
          data.resolve("manifest.json")
              + ": the data holds "
              + folder.shape()
              + " images, but "
              + m.cliName()
              + " is built for "
              + designed.get());
    }
    return TrainConfig.defaults(folder, m)
        .withFormat(DataFormat.parse(format))
        .withRecipe(recipe(m))
        .withInput(input())
        .withSeed(seed)
        .withClasses(classes);
  }
}
