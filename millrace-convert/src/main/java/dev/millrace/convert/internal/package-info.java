/**
 * The converters' implementation: format readers (IDX, tar streams, a safe unpickler, PNG/JPEG
 * headers), Example encoding and the staged, all-or-nothing writing of splits.
 *
 * <p>Invariants: source data is checked before use and every check failure is a {@link
 * dev.millrace.convert.BadInputException} naming where; records reach the shard writer in a fixed
 * order (source order or a seeded permutation) whatever the number of encoding threads; at most a
 * bounded window of encoded records is in memory besides the source data of the split being written
 * (IDX, CIFAR-10) or the files in flight (image folders); Examples are serialized deterministically
 * (map keys sorted). Not exported: nothing here is API.
 */
package dev.millrace.convert.internal;
