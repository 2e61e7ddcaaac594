/**
 * TFRecord files as TensorFlow writes them, and the {@code tf.train.Example} records inside them.
 *
 * <p>Invariants: every record read has passed both CRC checks or has been counted as corrupt;
 * readers hold at most one record plus a 64 KiB buffer in memory; every file written by this
 * package appears under its final name only when complete (written under a temporary name, then
 * renamed). Compression is always explicit or derived from the file suffix, never guessed from
 * content.
 *
 * <p>Examples are read two ways: the generated protobuf classes ({@code
 * dev.millrace.records.proto}) for convenience, and, on the hot path, {@link
 * dev.millrace.records.ExampleDecoder} (named features straight from the bytes, no allocation after
 * warm-up, values as views into the record buffer) and {@link dev.millrace.records.ExampleScanner}
 * (every feature's name, kind and size, for schemas and inspection). Both follow protobuf's parsing
 * rules; bad bytes are a checked {@link dev.millrace.records.MalformedExampleException} with the
 * byte offset, bad records a {@link dev.millrace.records.CorruptRecordException} with file, record
 * and offset.
 */
package dev.millrace.records;
