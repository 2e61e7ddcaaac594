package dev.millrace.graph;

/**
 * Properties of an op type that graph passes and the engine query through {@link
 * OpRegistry#hasTrait}; declared once per op in the registry (data, not {@code switch} statements).
 */
public enum OpTrait {
  /**
   * Reads or writes state outside its inputs (variables, assignments, randomness): never folded,
   * de-duplicated or pruned when targeted.
   */
  STATEFUL,
  /** Output element {@code i} depends only on input elements {@code i} (after broadcasting). */
  ELEMENTWISE,
  /** {@code f(a, b) == f(b, a)}. */
  COMMUTATIVE,
  /** {@code f(f(a, b), c) == f(a, f(b, c))} (up to rounding). */
  ASSOCIATIVE,
  /** {@code f(0) == 0} elementwise: sparsity and zero padding survive it. */
  PRESERVES_ZERO,
  /** {@code f(f(x)) == f(x)}. */
  IDEMPOTENT,
  /** Its output is its (only) input unchanged: Identity, StopGradient, a reshape of a view. */
  FORWARDS_INPUT,
  /** Has a {@code data_format} attribute: a layout pass must rewrite it with its neighbours. */
  LAYOUT_SENSITIVE,
  /** Produces a value from attributes only (Const). */
  CONSTANT,
  /** An input that must be fed (Placeholder). */
  FEED,
  /** A variable's storage (VariableV2). */
  VARIABLE,
  /** A gradient op (the backward twin of another op). */
  GRADIENT
}
