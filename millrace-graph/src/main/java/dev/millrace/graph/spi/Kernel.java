package dev.millrace.graph.spi;

import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The computation of one operation in a session: reads its inputs from the context and returns one
 * tensor per output. A kernel may return one of its inputs (a view or the same tensor) as an
 * output; the session then keeps that storage alive for both.
 */
@FunctionalInterface
public interface Kernel {
  List<Tensor> compute(KernelContext ctx);
}
