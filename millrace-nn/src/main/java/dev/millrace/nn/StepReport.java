package dev.millrace.nn;

import dev.millrace.graph.RunStats;

/**
 * One training step as the loop measured it.
 *
 * @param step the global step (0-based over the whole run)
 * @param epoch the epoch (0-based)
 * @param stepInEpoch the step's index inside its epoch
 * @param startNanos when the wait for the step's batch began ({@link System#nanoTime()} clock)
 * @param waitNanos time blocked waiting for the batch
 * @param computeNanos time in the session run (forward, backward, update)
 * @param examples examples in the batch
 * @param loss the batch's mean training loss
 * @param correct examples of the batch the training-mode model classified right
 * @param runStats the session run's per-op statistics
 */
public record StepReport(
    long step,
    int epoch,
    long stepInEpoch,
    long startNanos,
    long waitNanos,
    long computeNanos,
    int examples,
    float loss,
    int correct,
    RunStats runStats) {}
