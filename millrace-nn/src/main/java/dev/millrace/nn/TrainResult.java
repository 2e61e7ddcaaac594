package dev.millrace.nn;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a training run.
 *
 * @param model the model's command-line name
 * @param format the data format it trained in
 * @param epochs epochs trained in all (resumed epochs included)
 * @param steps steps this process took
 * @param history every finished epoch (those of earlier runs of a resumed run included)
 * @param imagesPerSecond training examples per second of this process's step time
 * @param inputWaitShare the share of this process's step time spent waiting for input
 * @param stepMillisMedian the median step (wait + compute) in milliseconds
 * @param wallSeconds the run's wall time, evaluation and checkpoints included
 * @param checkpoint the checkpoint's {@code checkpoint.json}, or null without checkpoints
 */
public record TrainResult(
    String model,
    String format,
    int epochs,
    long steps,
    List<TrainingState.EpochSummary> history,
    double imagesPerSecond,
    double inputWaitShare,
    double stepMillisMedian,
    double wallSeconds,
    Path checkpoint) {
  public TrainResult {
    history = List.copyOf(history);
  }

  /** The held-out accuracy after the last epoch (NaN if no epoch finished). */
  public double testAccuracy() {
    return history.isEmpty() ? Double.NaN : history.getLast().evalAccuracy();
  }
}
