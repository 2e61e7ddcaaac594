/**
 * Byte-level helpers: CRC masking and little-endian access for the record format, a bounded
 * protobuf wire-format cursor ({@link dev.millrace.records.internal.ProtoReader}) and a table of
 * UTF-8 names looked up without making strings ({@link
 * dev.millrace.records.internal.ByteNameTable}) for the Example decoder and scanner.
 *
 * <p>Not exported: nothing here is API. Every read through {@code ProtoReader} is checked against
 * the end of its enclosing message.
 */
package dev.millrace.records.internal;
