package dev.millrace.graph.internal;

import dev.millrace.graph.spi.KernelContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvEpilogue;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Intra-op parallelism for kernels that do not split their own work ({@link
 * dev.millrace.kernels.Kernels#splitsWork} false; kernels that do are called whole): the batch
 * (axis 0, in both data formats) is cut into one slice per intra-op thread, each slice runs the
 * kernel on the pool, and the results are joined. Every example is computed exactly as unsplit, so
 * results are bit-identical. Small work runs inline: the copies would cost more than they save.
 */
public final class Parallel {
  /** Output elements below which a kernel runs unsplit. */
  static final long MIN_SPLIT_ELEMENTS = 1 << 14;

  private Parallel() {}

  public static Tensor conv2d(
      KernelContext ctx, Tensor x, Tensor filter, Conv2dSpec spec, boolean depthwise) {
    long work = x.size() * Math.max(1, filter.shape().dim(0) * filter.shape().dim(1));
    return splitBatch(
        ctx,
        x,
        work,
        part ->
            depthwise
                ? ctx.kernels().depthwiseConv2d(part, filter, spec)
                : ctx.kernels().conv2d(part, filter, spec));
  }

  static Tensor fusedConv2d(
      KernelContext ctx, Tensor x, Tensor filter, Conv2dSpec spec, ConvEpilogue epilogue) {
    long work = x.size() * Math.max(1, filter.shape().dim(0) * filter.shape().dim(1));
    return splitBatch(
        ctx, x, work, part -> ctx.kernels().fusedConv2d(part, filter, spec, epilogue));
  }

  public static Tensor conv2dBackpropInput(
      KernelContext ctx, Shape inputShape, Tensor filter, Tensor grad, Conv2dSpec spec) {
    long work = grad.size() * Math.max(1, filter.shape().dim(0) * filter.shape().dim(1));
    return splitBatch(
        ctx,
        grad,
        work,
        part ->
            ctx.kernels()
                .conv2dBackpropInput(
                    inputShape.withDim(0, part.shape().dim(0)), filter, part, spec));
  }

  public static Tensor maxPool(KernelContext ctx, Tensor x, PoolSpec spec) {
    return splitBatch(ctx, x, x.size(), part -> ctx.kernels().maxPool(part, spec));
  }

  public static Tensor avgPool(KernelContext ctx, Tensor x, PoolSpec spec) {
    return splitBatch(ctx, x, x.size(), part -> ctx.kernels().avgPool(part, spec));
  }

  public static Tensor matmul(KernelContext ctx, Tensor a, Tensor b, boolean ta, boolean tb) {
    if (ta || ctx.kernels().splitsWork()) {
      return ctx.kernels().matmul(a, b, ta, tb);
    }
    long work = a.size() * (tb ? b.shape().dim(0) : b.shape().dim(1));
    return splitBatch(ctx, a, work, part -> ctx.kernels().matmul(part, b, false, tb));
  }

  private static Tensor splitBatch(
      KernelContext ctx, Tensor x, long work, UnaryOperator<Tensor> kernel) {
    if (ctx.kernels().splitsWork()) {
      return kernel.apply(x); // the kernels use the intra-op pool themselves, without copies
    }
    int threads = ctx.intraOp().parallelism();
    long n = x.shape().rank() == 0 ? 0 : x.shape().dim(0);
    int parts = (int) Math.min(threads, n);
    if (parts <= 1 || work < MIN_SPLIT_ELEMENTS || x.dtype() == DType.STRING) {
      return kernel.apply(x);
    }
    List<Tensor> results =
        ctx.intraOp()
            .map(
                parts,
                i -> {
                  long from = n * i / parts;
                  long to = n * (i + 1) / parts;
                  return kernel.apply(rows(x, from, to));
                });
    return joinRows(results);
  }

  /** A copy of rows {@code [from, to)} along axis 0. */
  static Tensor rows(Tensor x, long from, long to) {
    long n = x.shape().dim(0);
    long rowBytes = n == 0 ? 0 : x.size() / n * x.dtype().byteSize();
    Tensor out = Tensor.zeros(x.dtype(), x.shape().withDim(0, to - from));
    out.data().copyFrom(x.data().asSlice(from * rowBytes, (to - from) * rowBytes));
    return out;
  }

  /** The tensors joined along axis 0 (other dimensions agree). */
  static Tensor joinRows(List<Tensor> parts) {
    long rows = 0;
    for (Tensor t : parts) {
      rows += t.shape().dim(0);
    }
    Tensor first = parts.get(0);
    Tensor out = Tensor.zeros(first.dtype(), first.shape().withDim(0, rows));
    long offset = 0;
    for (Tensor t : parts) {
      long bytes = t.data().byteSize();
      MemorySegment.copy(t.data(), 0, out.data(), offset, bytes);
      offset += bytes;
      t.close();
    }
    return out;
  }
}
