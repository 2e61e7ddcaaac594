/**
 * The graph engine, TensorFlow's programming model: {@link dev.millrace.graph.Graph}s of {@link
 * dev.millrace.graph.Operation}s built with {@link dev.millrace.graph.Ops}, run by a {@link
 * dev.millrace.graph.Session}, differentiated by {@link dev.millrace.graph.Gradients}.
 *
 * <p>Invariants: a graph only grows, and its operations are always in topological order; every
 * operation was checked against its registry definition and has static output types and shapes
 * (unknown dimensions -1); operation names are unique; attributes are immutable typed values; a
 * session never modifies a fed tensor, a constant or a fetched result after returning it; a
 * session's threads live exactly as long as the session.
 */
package dev.millrace.graph;
