/**
 * Compile-time element-type markers for {@link dev.millrace.graph.Output}. Invariants: each marker
 * corresponds to exactly one {@link dev.millrace.tensor.DType}; markers are never instantiated; an
 * {@code Output<T>} always has the runtime type of {@code T} (checked where a typed handle is
 * made).
 */
package dev.millrace.graph.types;
