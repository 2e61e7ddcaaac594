package dev.millrace.kernels;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Picks the best kernels this JVM can run: {@link FastKernels} when the Vector API module ({@code
 * jdk.incubator.vector}) is resolved, else the {@link ReferenceKernels}, with a one-line warning
 * naming the JVM flag that enables the fast ones ({@value #VECTOR_FLAG}).
 */
public final class KernelsProvider {
  /** The JVM option that resolves the Vector API module. */
  public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private KernelsProvider() {}

  /** Single-threaded best kernels. */
  public static Kernels best() {
    return best(KernelThreads.inline());
  }

  /** The best kernels, splitting large calls over {@code threads}. */
  public static Kernels best(KernelThreads threads) {
    if (vectorApiAvailable()) {
      return new FastKernels(threads);
    }
    if (WARNED.compareAndSet(false, true)) {
      System.getLogger(KernelsProvider.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "Vector API unavailable: using the slow scalar reference kernels; add the JVM option "
                  + VECTOR_FLAG
                  + " for the fast ones");
    }
    return new ReferenceKernels();
  }

  /** True if the Vector API module is resolved in this JVM (the fast kernels can run). */
  public static boolean vectorApiAvailable() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }
}
