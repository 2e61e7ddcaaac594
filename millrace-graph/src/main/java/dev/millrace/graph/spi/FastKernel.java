package dev.millrace.graph.spi;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The fast version of a kernel bound as {@link KernelSource.Kind#TWINS}: like {@link Kernel}, with
 * the fast kernels' threads to split its work over. It handles the cases it does not speed up
 * itself, by calling its reference twin's arithmetic.
 */
@FunctionalInterface
public interface FastKernel {
  List<Tensor> compute(KernelContext ctx, KernelThreads threads);
}
