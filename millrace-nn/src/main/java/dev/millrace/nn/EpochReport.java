package dev.millrace.nn;

import dev.millrace.data.PipelineStats;

/**
 * One finished epoch.
 *
 * @param epoch 0-based
 * @param steps training steps of the epoch
 * @param trainLoss mean training loss over the epoch's examples
 * @param trainAccuracy share of the epoch's training examples classified right (training mode)
 * @param evalLoss mean loss on the held-out split
 * @param evalAccuracy share of the held-out split classified right
 * @param imagesPerSecond training examples per second of training wall time (evaluation excluded)
 * @param trainSeconds wall time of the epoch's training steps
 * @param evalSeconds wall time of the evaluation
 * @param inputWaitShare share of the training wall time spent waiting for input
 * @param pipeline the training pipeline's statistics at the end of the epoch (null when the epoch
 *     was restored from a checkpoint)
 */
public record EpochReport(
    int epoch,
    long steps,
    double trainLoss,
    double trainAccuracy,
    double evalLoss,
    double evalAccuracy,
    double imagesPerSecond,
    double trainSeconds,
    double evalSeconds,
    double inputWaitShare,
    PipelineStats pipeline) {}
