/**
 * Implementation of the reference kernels. Invariants: inputs are read into primitive arrays,
 * floating values are computed in {@code double} and stored in the input's type, integer values are
 * computed in {@code long} and wrap to the output's width as C++ integer casts do; every result is
 * a new heap tensor (optimizer updates excepted).
 */
package dev.millrace.kernels.internal;
