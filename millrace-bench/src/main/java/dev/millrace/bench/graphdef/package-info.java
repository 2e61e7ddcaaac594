/** Benchmarks of imported TensorFlow graphs; TensorFlow's side is in {@code bench.tensorflow}. */
package dev.millrace.bench.graphdef;
