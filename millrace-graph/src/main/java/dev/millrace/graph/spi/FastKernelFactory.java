package dev.millrace.graph.spi;

import dev.millrace.graph.Operation;

/** Makes the fast kernel of one operation once per session, as {@link KernelFactory} does. */
@FunctionalInterface
public interface FastKernelFactory {
  FastKernel create(Operation op);
}
