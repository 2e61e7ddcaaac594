package dev.millrace.kernels;

/** Reductions over a set of axes. */
public enum ReduceOp {
  SUM,
  MEAN,
  MAX,
  MIN,
  PROD
}
