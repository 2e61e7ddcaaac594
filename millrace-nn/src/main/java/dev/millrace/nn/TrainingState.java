package dev.millrace.nn;

import java.util.List;

/**
 * Where a training run stands, as a checkpoint records it next to the variables: what was trained
 * (so that a resume with another model or other data is refused), with which recipe and seed (so
 * that the resumed run takes the same batches and masks), and how far it got.
 *
 * @param model the model's command-line name
 * @param shape the image size
 * @param classes the number of classes
 * @param recipe optimizer, rate, batch, weight decay, schedule
 * @param seed the run's seed
 * @param augment whether the training input was augmented
 * @param shuffleBuffer the shuffle buffer
 * @param epochs epochs the run was planned for (the learning-rate schedule's length)
 * @param nextEpoch the epoch to continue in
 * @param stepInEpoch steps of {@code nextEpoch} already taken (0 at an epoch boundary)
 * @param globalStep steps taken in all
 * @param iterator the training pipeline's position inside {@code nextEpoch}, or null at a boundary
 * @param partial the unfinished epoch's sums so far
 * @param history the finished epochs
 */
public record TrainingState(
    String model,
    ImageShape shape,
    int classes,
    Recipe recipe,
    long seed,
    boolean augment,
    int shuffleBuffer,
    int epochs,
    int nextEpoch,
    long stepInEpoch,
    long globalStep,
    byte[] iterator,
    EpochSums partial,
    List<EpochSummary> history) {
  public TrainingState {
    history = List.copyOf(history);
    iterator = iterator == null ? null : iterator.clone();
  }

  @Override
  public byte[] iterator() {
    return iterator == null ? null : iterator.clone();
  }

  /**
   * Running sums of an epoch's training steps.
   *
   * @param lossSum sum over steps of (mean batch loss × batch size)
   * @param correct examples classified right
   * @param examples examples seen
   * @param waitNanos time waiting for input
   * @param computeNanos time in the session
   */
  public record EpochSums(
      double lossSum, long correct, long examples, long waitNanos, long computeNanos) {
    public static final EpochSums ZERO = new EpochSums(0, 0, 0, 0, 0);

    EpochSums add(StepReport s) {
      return new EpochSums(
          lossSum + (double) s.loss() * s.examples(),
          correct + s.correct(),
          examples + s.examples(),
          waitNanos + s.waitNanos(),
          computeNanos + s.computeNanos());
    }
  }

  /**
   * A finished epoch, as kept in the checkpoint's history.
   *
   * @param epoch 0-based
   * @param trainLoss mean training loss
   * @param trainAccuracy training accuracy
   * @param evalLoss held-out loss
   * @param evalAccuracy held-out accuracy
   * @param imagesPerSecond training throughput
   * @param trainSeconds training wall time
   */
  public record EpochSummary(
      int epoch,
      double trainLoss,
      double trainAccuracy,
      double evalLoss,
      double evalAccuracy,
      double imagesPerSecond,
      double trainSeconds) {
    static EpochSummary of(EpochReport r) {
      return new EpochSummary(
          r.epoch(),
          r.trainLoss(),
          r.trainAccuracy(),
          r.evalLoss(),
          r.evalAccuracy(),
          r.imagesPerSecond(),
          r.trainSeconds());
    }
  }
}
