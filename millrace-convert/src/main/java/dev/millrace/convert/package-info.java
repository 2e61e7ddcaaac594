/**
 * Converting data sets (IDX, CIFAR-10 pickled and binary, image folders) to TFRecord shards of
 * {@code tf.train.Example}s with a {@code manifest.json}; entry point {@link
 * dev.millrace.convert.Converters#convert}.
 *
 * <p>Invariants: a conversion is all or nothing — after a failure the output folder holds no shard
 * or manifest of that run; the output bytes depend only on the input and on the options' shard
 * size, compression, shuffle and seed, never on the thread count or the machine; bad input is a
 * {@link dev.millrace.convert.BadInputException} whose one-line message names the file (and the
 * archive entry, offset or record); input is parsed, never executed (pickles included) and never
 * extracted.
 */
package dev.millrace.convert;
