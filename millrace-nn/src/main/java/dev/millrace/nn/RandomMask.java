package dev.millrace.nn;

import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A dropout mask fed to the graph at every training step: each element is {@code 1/keep} with
 * probability {@code keep} and 0 otherwise. The mask is drawn in Java from the run's seed, the step
 * and the mask's index, not by a random op inside the graph, so that a run resumed from a
 * checkpoint draws exactly the masks the uninterrupted run would have drawn.
 *
 * @param placeholder the graph's input for the mask, {@code [batch, ...elementShape]}
 * @param elementShape the mask's shape without the batch dimension
 * @param keep the probability to keep an activation, in (0, 1]
 */
public record RandomMask(Output<Float32> placeholder, Shape elementShape, double keep) {
  public RandomMask {
    if (!(keep > 0 && keep <= 1)) {
      throw new IllegalArgumentException("keep probability must be in (0, 1], got " + keep);
    }
  }

  /** The mask for a batch of {@code batch} examples at training step {@code step}. */
  public Tensor draw(int batch, long seed, long step, int index) {
    long[] dims = new long[elementShape.rank() + 1];
    dims[0] = batch;
    for (int i = 0; i < elementShape.rank(); i++) {
      dims[i + 1] = elementShape.dim(i);
    }
    Shape shape = Shape.of(dims);
    float[] values = new float[Math.toIntExact(shape.size())];
    SplittableRandom random =
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + index);
    float scale = (float) (1 / keep);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextDouble() < keep ? scale : 0f;
    }
    return Tensor.ofFloats(shape, values);
  }
}
