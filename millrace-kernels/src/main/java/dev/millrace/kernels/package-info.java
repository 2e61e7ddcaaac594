/**
 * CPU kernels. Invariants: a kernel never modifies its inputs (optimizer {@code apply*} updates
 * excepted, which modify the variable in place); results match TensorFlow's op semantics; every
 * fast kernel has a scalar reference twin in {@link dev.millrace.kernels.ReferenceKernels} and is
 * tested against it.
 */
package dev.millrace.kernels;
