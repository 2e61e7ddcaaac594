package dev.millrace.kernels;

/** Elementwise functions of two tensors, with NumPy/TensorFlow broadcasting. */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV,
  MAXIMUM,
  MINIMUM,
  /** {@code (a - b)^2}. */
  SQUARED_DIFFERENCE,
  POW
}
