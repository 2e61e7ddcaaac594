package dev.millrace.graph.internal;

import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Output;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Optional;

/** Reading constant values out of a graph (for shape inference and gradients). */
public final class Consts {
  private Consts() {}

  /** The value of {@code out} if a {@code Const} produces it (shared: do not modify). */
  public static Optional<Tensor> valueOf(Output<?> out) {
    if (out.op().hasTrait(OpTrait.CONSTANT)) {
      return Optional.of(out.op().attrTensor("value"));
    }
    return Optional.empty();
  }

  /** The shape an integer vector tensor holds ({@code input_sizes}, {@code filter_sizes}). */
  public static Shape shape(Tensor t) {
    return Shape.of(longs(t));
  }

  /** The elements of an integer tensor as longs. */
  public static long[] longs(Tensor t) {
    long n = t.size();
    long[] out = new long[(int) n];
    for (int i = 0; i < n; i++) {
      out[i] = t.dtype() == DType.INT64 ? t.getLong(i) : (long) t.getAsDouble(i);
    }
    return out;
  }
}
