/**
 * TensorFlow comparison points, run through TensorFlow Java 1.1.0 (TensorFlow 2.18 CPU, oneDNN):
 * tf.data over Millrace-written TFRecords, MatMul, Conv2D and batch norm. TensorFlow may be used in
 * this package and module only, never by Millrace itself.
 *
 * <p>Invariants: every TensorFlow session states its thread count ({@code TfSessions}), and every
 * benchmark runs one thread setting per JVM fork, because TensorFlow sizes its CPU pools once per
 * process. Graph inputs that Grappler could fold (constants feeding the measured op) are fed as
 * placeholders instead.
 */
package dev.millrace.bench.tensorflow;
