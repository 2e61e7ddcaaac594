package dev.millrace.graph.spi;

import java.util.List;

/**
 * What a kernel binding runs on the session's reference and fast kernels, stated where the binding
 * is made so that a test can check that every op has a fast kernel or is known not to need one.
 *
 * @param kind how the binding reaches its arithmetic
 * @param kernelsMethods for {@link Kind#KERNELS}: the {@link dev.millrace.kernels.Kernels} methods
 *     the kernel calls (empty otherwise)
 * @param fast for {@link Kind#TWINS}: the fast version (null otherwise)
 */
public record KernelSource(Kind kind, List<String> kernelsMethods, FastKernelFactory fast) {
  /** How a binding reaches its arithmetic. */
  public enum Kind {
    /**
     * Calls the session's {@link dev.millrace.kernels.Kernels}: the reference kernels or the fast
     * ones run the named methods ({@link dev.millrace.kernels.FastKernels#REFERENCE_ONLY} lists the
     * methods the fast kernels leave to the reference).
     */
    KERNELS,
    /**
     * A scalar reference twin (the binding's factory) and a fast version bound side by side: the
     * session runs the fast one when its kernels are {@link dev.millrace.kernels.FastKernels}.
     */
    TWINS,
    /** One scalar implementation, which sessions with the fast kernels run too. */
    REFERENCE_ONLY,
    /**
     * No arithmetic (a constant, a view, a copy, metadata): nothing a fast kernel could speed up.
     */
    NO_ARITHMETIC,
    /** Bound without saying which of the above it is. */
    UNDECLARED
  }

  public KernelSource {
    kernelsMethods = List.copyOf(kernelsMethods);
    if ((kind == Kind.KERNELS) == kernelsMethods.isEmpty()) {
      throw new IllegalArgumentException(
          "the Kernels methods are named for kind KERNELS only, got "
              + kind
              + " "
              + kernelsMethods);
    }
    if ((kind == Kind.TWINS) != (fast != null)) {
      throw new IllegalArgumentException("a fast version is given for kind TWINS only");
    }
  }

  /** The kernel calls these methods of the session's {@link dev.millrace.kernels.Kernels}. */
  public static KernelSource kernels(String... methods) {
    return new KernelSource(Kind.KERNELS, List.of(methods), null);
  }

  /** A reference twin and {@code fast}, its fast version. */
  public static KernelSource twins(FastKernelFactory fast) {
    return new KernelSource(Kind.TWINS, List.of(), fast);
  }

  public static KernelSource referenceOnly() {
    return new KernelSource(Kind.REFERENCE_ONLY, List.of(), null);
  }

  public static KernelSource noArithmetic() {
    return new KernelSource(Kind.NO_ARITHMETIC, List.of(), null);
  }

  public static KernelSource undeclared() {
    return new KernelSource(Kind.UNDECLARED, List.of(), null);
  }
}
