/**
 * Millrace on Apache Spark: the {@code tfrecord} data source ({@link
 * dev.millrace.spark.TfRecordDataSource}) and the conversion of data sets as a Spark job.
 *
 * <p>Invariants: every record read has passed both CRC checks (or is counted as skipped); a failure
 * names the file and byte offset; files appear under their final names only when the job that wrote
 * them commits; TFRecord framing, Example encoding, schema inference and manifests are Millrace's
 * own ({@code millrace-records}, {@code millrace-convert}), so what Spark writes is what the
 * single-machine tools write. Spark appears in this module and no other.
 */
package dev.millrace.spark;
