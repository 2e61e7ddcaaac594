package dev.millrace.graph.spi;

import dev.millrace.graph.Operation;

/**
 * Makes the kernel of one operation once per session (parsing attributes such as strides once, not
 * on every run).
 */
@FunctionalInterface
public interface KernelFactory {
  Kernel create(Operation op);
}
