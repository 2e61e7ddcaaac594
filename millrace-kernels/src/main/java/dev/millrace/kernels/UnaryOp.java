package dev.millrace.kernels;

/** Elementwise functions of one tensor. */
public enum UnaryOp {
  IDENTITY,
  NEG,
  ABS,
  SQUARE,
  SQRT,
  RSQRT,
  EXP,
  LOG,
  RELU,
  /** {@code min(max(x, 0), 6)}. */
  RELU6,
  SIGMOID,
  TANH,
  /** {@code 1 / x}. */
  RECIPROCAL
}
