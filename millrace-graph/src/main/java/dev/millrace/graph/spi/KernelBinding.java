package dev.millrace.graph.spi;

import dev.millrace.graph.Operation;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.Kernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import java.util.Set;

/**
 * A kernel registered for an op type, restricted to element types (of its {@code T} attribute, or
 * its first type attribute) and data formats (of its {@code data_format} attribute); an empty set
 * accepts any. The registry picks the first binding that matches an operation. {@code source} says
 * what the kernel runs on the reference and the fast kernels.
 */
public record KernelBinding(
    Set<DType> types, Set<DataFormat> formats, KernelFactory factory, KernelSource source) {
  public KernelBinding {
    types = Set.copyOf(types);
    formats = Set.copyOf(formats);
    if (factory == null || source == null) {
      throw new IllegalArgumentException("a kernel binding needs a factory and a source");
    }
  }

  /** A binding that does not say what it runs ({@link KernelSource.Kind#UNDECLARED}). */
  public KernelBinding(Set<DType> types, Set<DataFormat> formats, KernelFactory factory) {
    this(types, formats, factory, KernelSource.undeclared());
  }

  public boolean matches(DType type, DataFormat format) {
    return (types.isEmpty() || type == null || types.contains(type))
        && (formats.isEmpty() || format == null || formats.contains(format));
  }

  /**
   * The kernel of {@code op} for a session running {@code kernels}: the fast twin when the binding
   * has one and the kernels are the fast ones, else the factory's kernel.
   */
  public Kernel create(Operation op, Kernels kernels) {
    if (source.kind() == KernelSource.Kind.TWINS && kernels instanceof FastKernels fast) {
      FastKernel k = source.fast().create(op);
      return ctx -> k.compute(ctx, fast.threads());
    }
    return factory.create(op);
  }
}
