package dev.millrace.nn;

import dev.millrace.graph.ThreadConfig;
import dev.millrace.tensor.DataFormat;
import java.nio.file.Path;

/**
 * Everything a training run needs to know.
 *
 * @param data the converted data set
 * @param model the built-in model
 * @param format the activations' data format
 * @param recipe optimizer, rate, batch, weight decay, schedule
 * @param epochs epochs to train (in all, counting those a resumed run already did)
 * @param input the input pipeline's settings
 * @param seed the seed of initialisation, shuffling, augmentation and dropout
 * @param classes the number of classes (labels must lie in {@code [0, classes)})
 * @param threads the session's thread pools
 * @param checkpointDir where to checkpoint after each epoch, or null for no checkpoints
 * @param checkpointEvery also checkpoint every this many steps (0: at epoch ends only)
 * @param resume continue from the checkpoint in {@code checkpointDir} if it holds one
 * @param evalBatch examples per evaluation batch
 */
public record TrainConfig(
    DataFolder data,
    BuiltinModel model,
    DataFormat format,
    Recipe recipe,
    int epochs,
    InputSettings input,
    long seed,
    int classes,
    ThreadConfig threads,
    Path checkpointDir,
    long checkpointEvery,
    boolean resume,
    int evalBatch) {
  public TrainConfig {
    if (epochs < 1 || classes < 2 || checkpointEvery < 0 || evalBatch < 1) {
      throw new IllegalArgumentException(
          String.format(
              "epochs %d must be >= 1, classes %d >= 2, checkpoint interval %d >= 0, eval batch"
                  + " %d >= 1",
              epochs, classes, checkpointEvery, evalBatch));
    }
    if (resume && checkpointDir == null) {
      throw new IllegalArgumentException("resuming needs a checkpoint folder");
    }
  }

  /** A run of {@code model} on {@code data} with the model's recipe and default settings. */
  public static TrainConfig defaults(DataFolder data, BuiltinModel model) {
    return new TrainConfig(
        data,
        model,
        DataFormat.NHWC,
        model.recipe(),
        1,
        InputSettings.DEFAULT,
        0,
        10,
        ThreadConfig.physicalCores(),
        null,
        0,
        false,
        500);
  }

  public TrainConfig withFormat(DataFormat value) {
    return new TrainConfig(
        data,
        model,
        value,
        recipe,
        epochs,
        input,
        seed,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withRecipe(Recipe value) {
    return new TrainConfig(
        data,
        model,
        format,
        value,
        epochs,
        input,
        seed,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withEpochs(int value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        value,
        input,
        seed,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withInput(InputSettings value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        value,
        seed,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withSeed(long value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        input,
        value,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withClasses(int value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        input,
        seed,
        value,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withThreads(ThreadConfig value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        input,
        seed,
        classes,
        value,
        checkpointDir,
        checkpointEvery,
        resume,
        evalBatch);
  }

  public TrainConfig withCheckpoints(Path dir, long every, boolean resumeFromIt) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        input,
        seed,
        classes,
        threads,
        dir,
        every,
        resumeFromIt,
        evalBatch);
  }

  public TrainConfig withEvalBatch(int value) {
    return new TrainConfig(
        data,
        model,
        format,
        recipe,
        epochs,
        input,
        seed,
        classes,
        threads,
        checkpointDir,
        checkpointEvery,
        resume,
        value);
  }

  /** Training steps per epoch (the last partial batch is dropped). */
  public long stepsPerEpoch() {
    return data.train().records() / recipe.batch();
  }
}
