/**
 * Whole training steps of the built-in models: JMH throughput and a per-op breakdown, both on a
 * fixed synthetic batch so that only the graph engine and its kernels are measured.
 */
package dev.millrace.bench.nn;
