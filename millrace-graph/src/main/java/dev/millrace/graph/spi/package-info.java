/**
 * Extension points of the graph engine: op definitions for the {@link
 * dev.millrace.graph.OpRegistry} with their shape functions, kernel bindings and gradient
 * functions. Invariants: an op definition is immutable once registered; a shape function never sees
 * an input of unknown rank; a kernel never modifies an input (ref inputs excepted) and returns
 * exactly one tensor per declared output; a gradient function returns one entry per input.
 */
package dev.millrace.graph.spi;
