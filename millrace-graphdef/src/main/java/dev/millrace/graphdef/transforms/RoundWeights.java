package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Tensor;
import java.util.Optional;

/**
 * {@code round_weights(num_steps=256)}: every float Const of 16 or more values is rounded to the
 * centres of {@code num_steps} equal buckets between its minimum and maximum, so that the file
 * compresses well while staying float. Smaller constants, which tend to be accuracy-sensitive
 * (epsilons, shapes), are kept. Two details differ from TensorFlow's tool on purpose: the maximum
 * value falls in the last bucket rather than one past it, and an all-negative tensor's range ends
 * at its real maximum (TensorFlow starts the maximum at the smallest positive float).
 */
final class RoundWeights implements GraphTransform {
  static final int MIN_ELEMENTS = 16;

  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    long steps = context.longParam("num_steps", 256);
    if (steps < 1 || steps > 1 << 24) {
      throw new IllegalArgumentException("num_steps=" + steps + " must be in [1, 2^24]");
    }
    GraphEdit edit = new GraphEdit(graph);
    for (NodeDef n : graph.getNodeList()) {
      Optional<Tensor> value = Weights.floatConst(Optional.of(n));
      if (value.isEmpty() || value.get().size() < MIN_ELEMENTS) {
        continue;
      }
      edit.replace(
          n.getName(),
          Weights.constNode(n.getName(), round(value.get(), (int) steps), n.getDevice()));
    }
    return edit.result();
  }

  static Tensor round(Tensor t, int steps) {
    float[] v = t.toFloatArray();
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (min == max) {
      // One value: give the buckets a width, as TensorFlow does.
      if (Math.abs(min) < 1e-6f) {
        max = min + 1f;
      } else if (min > 0) {
        max = 2 * min;
      } else {
        min = 2 * max;
      }
    }
    float width = (max - min) / steps;
    for (int i = 0; i < v.length; i++) {
      int bucket = (int) Math.min(steps - 1, Math.floor((v[i] - min) / width));
      v[i] = min + width * (bucket + 0.5f);
    }
    return Tensor.ofFloats(t.shape(), v);
  }
}
