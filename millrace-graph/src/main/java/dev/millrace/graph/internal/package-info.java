/**
 * Implementation of the graph engine: the built-in op definitions (shape functions, kernel
 * bindings, gradients), operation checking, planning and execution. Invariants: op definitions use
 * TensorFlow's op, argument and attribute names; a plan contains exactly the operations its fetches
 * and targets need; a run releases each intermediate when its last reader has run and never closes
 * a feed, a constant or a variable's value.
 */
package dev.millrace.graph.internal;
