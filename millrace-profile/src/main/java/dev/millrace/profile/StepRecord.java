package dev.millrace.profile;

/**
 * The timing of one training (or evaluation) step, as the training loop measures it: how long the
 * consumer waited for the input pipeline to hand over the next batch, and how long the session run
 * took.
 *
 * @param step the global step number (0-based, counting from the start of the run, not the epoch)
 * @param startNanos when the wait for this step's batch began, on the {@link System#nanoTime()}
 *     clock
 * @param waitNanos time blocked in the pipeline's {@code next()} for this step's batch
 * @param computeNanos time in the session run of this step (forward, backward and update)
 * @param examples examples in the step's batch
 */
public record StepRecord(
    long step, long startNanos, long waitNanos, long computeNanos, int examples) {
  public StepRecord {
    if (step < 0 || waitNanos < 0 || computeNanos < 0 || examples < 0) {
      throw new IllegalArgumentException(
          "step "
              + step
              + ", waitNanos "
              + waitNanos
              + ", computeNanos "
              + computeNanos
              + ", examples "
              + examples
              + ": none may be negative");
    }
  }

  /** Wait plus compute: the step's whole wall time as the loop sees it. */
  public long totalNanos() {
    return waitNanos + computeNanos;
  }

  /** The share of the step spent waiting for input, in [0, 1] (0 for an empty step). */
  public double inputWaitShare() {
    long total = totalNanos();
    return total == 0 ? 0 : (double) waitNanos / total;
  }
}
