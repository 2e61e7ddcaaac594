/**
 * Input-pipeline benchmarks: Millrace's side of the tf.data comparison, map scaling, per-element
 * overhead, and small files against TFRecord shards.
 *
 * <p>Invariants: every benchmark checks in its setup or per operation that a pass delivers exactly
 * the elements it should, so a records/s figure cannot come from a short epoch; one operation is a
 * whole pass through a fresh iterator (threads started and joined); thread settings run in separate
 * forks; the Fashion-MNIST files are the ones {@code dev.millrace.bench.tensorflow.FashionRecords}
 * converts for TensorFlow's side.
 */
package dev.millrace.bench.data;
