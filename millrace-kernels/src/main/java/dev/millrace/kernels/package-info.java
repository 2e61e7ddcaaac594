/**
 * CPU kernels. Invariants: a kernel never modifies its inputs (optimizer {@code apply*} updates
 * excepted, which modify the variable in place); results match TensorFlow's op semantics; every
 * fast kernel ({@link dev.millrace.kernels.FastKernels}, on the Vector API) has a scalar reference
 * twin in {@link dev.millrace.kernels.ReferenceKernels} and is tested against it within a stated
 * tolerance; {@link dev.millrace.kernels.KernelsProvider} picks the fast ones when the JVM has the
 * Vector API module, else the reference ones with a one-line warning naming the flag; kernels split
 * work only over the {@link dev.millrace.kernels.KernelThreads} they are given and never create a
 * thread per call.
 */
package dev.millrace.kernels;
