package dev.millrace.kernels;

import dev.millrace.tensor.Tensor;

/**
 * Outputs of SparseSoftmaxCrossEntropyWithLogits: {@code loss} {@code [batch]} (per example {@code
 * logsumexp(logits) - logits[label]}) and {@code backprop} {@code [batch, classes]} (its gradient
 * with respect to the logits: {@code softmax(logits) - onehot(label)}).
 */
public record CrossEntropyResult(Tensor loss, Tensor backprop) {}
