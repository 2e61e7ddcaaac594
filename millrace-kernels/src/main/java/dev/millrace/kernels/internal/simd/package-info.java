/**
 * The fast kernels' implementation on the JDK Vector API ({@code jdk.incubator.vector}), loaded
 * only when that module is present. Invariants: FLOAT32 only, and the QUINT8 codes of the eight-bit
 * cores (exact integer sums; other types go to the reference kernels); inputs are read, never
 * written; results are new heap tensors; results match the reference twins within the tolerance
 * their tests state (float accumulation in a different order, not double); threads come from the
 * caller's {@link dev.millrace.kernels.KernelThreads}, never created here.
 */
package dev.millrace.kernels.internal.simd;
