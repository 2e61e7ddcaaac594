package dev.millrace.data.internal;

import dev.millrace.data.Batch;
import dev.millrace.data.Features;
import dev.millrace.data.Padding;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.function.BiFunction;

/** Batching of {@link Features}: dense stacking, padding and ragged rows. */
public final class Stacking {
  private Stacking() {}

  /** One contiguous {@code [n, ...]} tensor per feature. */
  public static Batch stack(List<Features> elements) {
    return stack(elements, Batch.builder(elements.size()), Tensor::zeros);
  }

  /**
   * {@link #stack(List)} into {@code batch} (a builder for {@code elements.size()}), each feature's
   * tensor from {@code newTensor}. Every element of those tensors is written (each row is one
   * element's whole feature), so they need not be zero.
   */
  public static Batch stack(
      List<Features> elements, Batch.Builder batch, BiFunction<DType, Shape, Tensor> newTensor) {
    Features first = elements.get(0);
    int n = elements.size();
    Batch.Builder b = batch;
    for (int f = 0; f < first.size(); f++) {
      String name = first.name(f);
      Tensor t0 = first.get(f);
      Shape shape = Tensors.prepend(n, t0.shape());
      Tensor out = newTensor.apply(t0.dtype(), shape);
      long rowSize = t0.size();
      for (int i = 0; i < n; i++) {
        Tensor t = feature(elements.get(i), f, name, i, first);
        if (t.dtype() != t0.dtype() || !t.shape().equals(t0.shape())) {
          throw new IllegalArgumentException(
              "cannot stack feature '"
                  + name
                  + "': element "
                  + i
                  + " of the batch is "
                  + t.dtype()
                  + " "
                  + t.shape()
                  + ", element 0 is "
                  + t0.dtype()
                  + " "
                  + t0.shape()
                  + " (use paddedBatch or raggedBatch for variable-size features)");
        }
        Tensors.copyElements(t, 0, out, i * rowSize, rowSize);
      }
      b.add(name, out);
    }
    return b.build();
  }

  /** Pads each feature to the largest (or fixed) shape, then stacks. */
  public static Batch padded(List<Features> elements, Padding padding) {
    Features first = elements.get(0);
    int n = elements.size();
    Batch.Builder b = Batch.builder(n);
    for (int f = 0; f < first.size(); f++) {
      String name = first.name(f);
      Shape padded = paddedShape(elements, f, padding);
      Tensor out = Tensor.zeros(first.get(f).dtype(), Tensors.prepend(n, padded));
      double value = padding.valueOf(name);
      if (value != 0 && out.dtype() != DType.STRING) {
        for (long k = 0, total = out.size(); k < total; k++) {
          set(out, k, value);
        }
      }
      long rowSize = padded.size();
      for (int i = 0; i < n; i++) {
        copyPadded(elements.get(i).get(name), out, i * rowSize, padded);
      }
      b.add(name, out);
    }
    return b.build();
  }

  /** The largest size of feature {@code f} in each dimension, or the padding's fixed shape. */
  private static Shape paddedShape(List<Features> elements, int f, Padding padding) {
    Features first = elements.get(0);
    String name = first.name(f);
    Tensor t0 = first.get(f);
    int rank = t0.shape().rank();
    long[] dims = new long[rank];
    for (int i = 0; i < elements.size(); i++) {
      Tensor t = feature(elements.get(i), f, name, i, first);
      if (t.dtype() != t0.dtype() || t.shape().rank() != rank) {
        throw new IllegalArgumentException(
            "cannot pad feature '"
                + name
                + "': element "
                + i
                + " is "
                + t.dtype()
                + " "
                + t.shape()
                + ", element 0 is "
                + t0.dtype()
                + " "
                + t0.shape()
                + " (dtype and rank must agree)");
      }
      for (int d = 0; d < rank; d++) {
        dims[d] = Math.max(dims[d], t.shape().dim(d));
      }
    }
    Shape fixed = padding.shapeOf(name);
    if (fixed == null) {
      return Shape.of(dims);
    }
    if (fixed.rank() != rank) {
      throw new IllegalArgumentException(
          "padded shape "
              + fixed
              + " of '"
              + name
              + "' has rank "
              + fixed.rank()
              + ", elements "
              + rank);
    }
    for (int d = 0; d < rank; d++) {
      if (fixed.dim(d) >= 0) {
        if (fixed.dim(d) < dims[d]) {
          throw new IllegalArgumentException(
              "feature '"
                  + name
                  + "' has size "
                  + dims[d]
                  + " in dimension "
                  + d
                  + ", more than its padded shape "
                  + fixed);
        }
        dims[d] = fixed.dim(d);
      }
    }
    return Shape.of(dims);
  }

  /** Dense where shapes agree, ragged (values + row splits) where the first dimension varies. */
  public static Batch ragged(List<Features> elements) {
    Features first = elements.get(0);
    int n = elements.size();
    Batch.Builder b = Batch.builder(n);
    for (int f = 0; f < first.size(); f++) {
      String name = first.name(f);
      Tensor t0 = first.get(f);
      boolean same = true;
      long rows = 0;
      Shape inner = t0.shape().rank() == 0 ? null : Tensors.dropFirst(t0.shape());
      for (int i = 0; i < n; i++) {
        Tensor t = feature(elements.get(i), f, name, i, first);
        if (t.dtype() != t0.dtype()
            || t.shape().rank() != t0.shape().rank()
            || (inner != null && !Tensors.dropFirst(t.shape()).equals(inner))
            || (inner == null && !t.shape().equals(t0.shape()))) {
          throw new IllegalArgumentException(
              "cannot batch feature '"
                  + name
                  + "' as ragged: element "
                  + i
                  + " is "
                  + t.dtype()
                  + " "
                  + t.shape()
                  + ", element 0 is "
                  + t0.dtype()
                  + " "
                  + t0.shape()
                  + " (only the first dimension may vary)");
        }
        same &= t.shape().equals(t0.shape());
        rows += inner == null ? 0 : t.shape().dim(0);
      }
      if (same) {
        b.add(name, stackOne(elements, name, t0));
        continue;
      }
      Tensor values = Tensor.zeros(t0.dtype(), Tensors.prepend(rows, inner));
      Tensor splits = Tensor.zeros(DType.INT64, Shape.of(n + 1));
      long at = 0;
      long rowSize = inner.size();
      for (int i = 0; i < n; i++) {
        Tensor t = elements.get(i).get(name);
        Tensors.copyElements(t, 0, values, at * rowSize, t.size());
        at += t.shape().dim(0);
        splits.setLong(i + 1, at);
      }
      b.addRagged(name, values, splits);
    }
    return b.build();
  }

  private static Tensor stackOne(List<Features> elements, String name, Tensor t0) {
    int n = elements.size();
    Tensor out = Tensor.zeros(t0.dtype(), Tensors.prepend(n, t0.shape()));
    long rowSize = t0.size();
    for (int i = 0; i < n; i++) {
      Tensors.copyElements(elements.get(i).get(name), 0, out, i * rowSize, rowSize);
    }
    return out;
  }

  private static Tensor feature(Features e, int f, String name, int i, Features first) {
    if (e.size() == first.size() && e.name(f).equals(name)) {
      return e.get(f);
    }
    if (!e.names().equals(first.names())) {
      throw new IllegalArgumentException(
          "element "
              + i
              + " of the batch has features "
              + e.names()
              + ", element 0 has "
              + first.names());
    }
    return e.get(name);
  }

  /** Copies {@code t} into the block of shape {@code padded} at {@code base}, row by row. */
  private static void copyPadded(Tensor t, Tensor out, long base, Shape padded) {
    int rank = padded.rank();
    if (rank == 0) {
      Tensors.copyElements(t, 0, out, base, 1);
      return;
    }
    long[] in = t.shape().dims();
    long[] outStrides = padded.strides();
    long lastLen = in[rank - 1];
    long rowsIn = lastLen == 0 ? 0 : t.size() / lastLen;
    long[] idx = new long[rank];
    for (long r = 0; r < rowsIn; r++) {
      long dst = base;
      for (int d = 0; d < rank - 1; d++) {
        dst += idx[d] * outStrides[d];
      }
      Tensors.copyElements(t, r * lastLen, out, dst, lastLen);
      for (int d = rank - 2; d >= 0; d--) {
        if (++idx[d] < in[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
  }

  private static void set(Tensor t, long i, double v) {
    switch (t.dtype()) {
      case FLOAT32 -> t.setFloat(i, (float) v);
      case FLOAT64 -> t.setDouble(i, v);
      case INT32, QINT32 -> t.setInt(i, (int) v);
      case INT64 -> t.setLong(i, (long) v);
      default -> t.setByte(i, (byte) v);
    }
  }
}
