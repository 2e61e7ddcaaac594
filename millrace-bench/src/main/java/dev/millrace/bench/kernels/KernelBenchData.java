package dev.millrace.bench.kernels;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;

/** Inputs of the kernel benchmarks. */
final class KernelBenchData {
  private KernelBenchData() {}

  /** FLOAT32 values uniform in [-1, 1). */
  static Tensor random(Random rnd, Shape shape) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return Tensor.ofFloats(shape, v);
  }
}
