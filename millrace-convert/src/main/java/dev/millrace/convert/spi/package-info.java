/**
 * Extension points of the converters: {@link dev.millrace.convert.spi.SplitWriter} (how a split's
 * records are encoded and written), {@link dev.millrace.convert.spi.RecordEncoder} (the
 * serializable encoding of a split's records) and {@link dev.millrace.convert.spi.ConversionEngine}
 * (an engine found on the class path by name).
 *
 * <p>Invariants: an engine changes where records are encoded and written, never what is written:
 * the same records in the same order, the same shard cuts and names, the same manifest.
 */
package dev.millrace.convert.spi;
