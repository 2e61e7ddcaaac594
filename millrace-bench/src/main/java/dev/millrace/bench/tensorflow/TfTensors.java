package dev.millrace.bench.tensorflow;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Benchmark inputs: float tensors filled with seeded values, the same on every run. */
final class TfTensors {
  private TfTensors() {}

  /** A tensor of {@code shape} with values uniform in [-1, 1). */
  static TFloat32 uniform(Shape shape, long seed) {
    return uniform(shape, seed, -1f, 1f);
  }

  /** A tensor of {@code shape} with values uniform in [lo, hi). */
  static TFloat32 uniform(Shape shape, long seed, float lo, float hi) {
    float[] values = new float[Math.toIntExact(shape.size())];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < values.length; i++) {
      values[i] = lo + (hi - lo) * (float) random.nextDouble();
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }
}
