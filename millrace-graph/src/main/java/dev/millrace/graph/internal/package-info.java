/**
 * Implementation of the graph engine: operation checking, planning, fusion and execution (the
 * built-in op definitions are in {@code .ops}). Invariants: a plan contains exactly the operations
 * its fetches and targets need; a rewrite matches operations with {@link Pattern} and the op-traits
 * table, never by comparing type names in the pass; a run releases each intermediate when its last
 * reader has run and never closes a feed, a constant or a variable's value.
 */
package dev.millrace.graph.internal;
