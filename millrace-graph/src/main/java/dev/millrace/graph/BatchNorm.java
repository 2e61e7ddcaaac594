package dev.millrace.graph;

import dev.millrace.graph.types.TType;

/**
 * The result of a batch normalization: the normalised {@code y} (which this record stands for as an
 * operand, so {@code tf.nn.relu(tf.nn.fusedBatchNorm(...))} reads naturally) and the per-channel
 * mean and variance used (in training: the batch mean and the unbiased batch variance, for moving
 * averages).
 *
 * @param <T> the element type marker
 */
public record BatchNorm<T extends TType>(Output<T> y, Output<T> mean, Output<T> variance)
    implements Operand<T> {
  @Override
  public Output<T> asOutput() {
    return y;
  }
}
