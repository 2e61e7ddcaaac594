/**
 * Implementation of the graph engine: operation checking, planning, fusion and execution (the
 * built-in op definitions are in {@code .ops}). Invariants: a plan contains exactly the operations
 * its fetches and targets need; a rewrite finds what it changes with a {@link Pattern} (op types,
 * traits, declared functions), not with name checks of its own; a run releases each intermediate
 * when its last reader has run and never closes a feed, a constant or a variable's value.
 */
package dev.millrace.graph.internal;
