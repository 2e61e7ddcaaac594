package dev.millrace.kernels;

import dev.millrace.tensor.Tensor;

/**
 * Outputs of fused batch normalization, as TensorFlow's FusedBatchNormV3.
 *
 * @param y the normalised output, same shape and format as x
 * @param batchMean per-channel mean used (training: of the batch; inference: the given mean)
 * @param batchVariance per-channel variance for the moving average (training: the batch's
 *     <em>unbiased</em>, Bessel-corrected variance; inference: the given variance)
 * @param savedMean per-channel mean saved for the gradient (training: batch mean)
 * @param savedInvStd per-channel {@code 1 / sqrt(biased batch variance + epsilon)} for the gradient
 *     (training), or of the given variance (inference)
 */
public record FusedBatchNormResult(
    Tensor y, Tensor batchMean, Tensor batchVariance, Tensor savedMean, Tensor savedInvStd) {}
