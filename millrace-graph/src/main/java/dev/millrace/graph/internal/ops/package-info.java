/**
 * The built-in ops, one family to a file: each op's TensorFlow name, inputs, outputs and
 * attributes, shape function, gradient, traits and kernel binding are written together, in one
 * {@link dev.millrace.graph.spi.OpDef} entry and the private helpers beside it. Invariants: names
 * are TensorFlow's; every op is reachable from the typed API or says who builds it; every kernel
 * binding says whether it has a fast version ({@code OpCoverageTest} checks both).
 */
package dev.millrace.graph.internal.ops;
