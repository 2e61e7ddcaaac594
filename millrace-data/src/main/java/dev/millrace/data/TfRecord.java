package dev.millrace.data;

import dev.millrace.records.CorruptRecordException;
import dev.millrace.records.DecodedExample;
import dev.millrace.records.ExampleDecoder;
import dev.millrace.records.MalformedExampleException;
import dev.millrace.records.RecordReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One TFRecord payload (usually a serialized {@code tf.train.Example}) with where it came from: the
 * elements of {@link Dataset#tfRecords}. Immutable: the bytes are a private copy, read through
 * {@link #byteAt}, {@link #asByteBuffer()} or {@link #toByteArray()}.
 */
public final class TfRecord {
  final byte[] data;
  private final Path file;
  private final long recordIndex;
  private final long offset;
  private final boolean compressed;

  private TfRecord(byte[] data, Path file, long recordIndex, long offset, boolean compressed) {
    this.data = data;
    this.file = file;
    this.recordIndex = recordIndex;
    this.offset = offset;
    this.compressed = compressed;
  }

  /** A record of a copy of {@code data}, from no file. */
  public static TfRecord of(byte[] data) {
    return new TfRecord(data.clone(), null, -1, -1, false);
  }

  /** A record of a copy of {@code data}, located at {@code file@offset} as record {@code index}. */
  public static TfRecord of(byte[] data, Path file, long recordIndex, long offset) {
    return new TfRecord(data.clone(), Objects.requireNonNull(file), recordIndex, offset, false);
  }

  /** A copy of the reader's current record, with its file, index and offset. */
  public static TfRecord current(RecordReader reader) {
    return new TfRecord(
        reader.copyRecord(),
        reader.file(),
        reader.recordIndex(),
        reader.recordOffset(),
        reader.isCompressed());
  }

  /**
   * Decodes the payload as a {@code tf.train.Example} into {@code into}, without copying it: the
   * result's bytes values point into this record's private buffer ({@link
   * DecodedExample#source()}), which must be treated as read-only.
   */
  public void decode(ExampleDecoder decoder, DecodedExample into) throws MalformedExampleException {
    decoder.decode(data, 0, data.length, into);
  }

  /** Payload length in bytes. */
  public int length() {
    return data.length;
  }

  public byte byteAt(int index) {
    return data[Objects.checkIndex(index, data.length)];
  }

  /** A copy of the payload. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** A read-only view of the payload. */
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** The file the record was read from, if any. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The record's index in its file (corrupt records counted), or -1. */
  public long recordIndex() {
    return recordIndex;
  }

  /**
   * The byte offset of the record's header in its file (decompressed stream if compressed), or -1.
   */
  public long offset() {
    return offset;
  }

  /** {@code file@offset (record N)}, or {@code record N} for a record from no file. */
  public String location() {
    if (file == null) {
      return "record " + recordIndex;
    }
    return file
        + "@"
        + offset
        + (compressed ? " of the decompressed stream" : "")
        + " (record "
        + recordIndex
        + ")";
  }

  /**
   * An exception for bad data in this record: a {@link CorruptRecordException} naming file, record
   * and offset when the record came from a file.
   */
  public IOException problem(String problem, Throwable cause) {
    IOException e =
        file == null
            ? new IOException(location() + ": " + problem)
            : new CorruptRecordException(file, recordIndex, offset, compressed, problem);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TfRecord r
        && Arrays.equals(data, r.data)
        && Objects.equals(file, r.file)
        && recordIndex == r.recordIndex
        && offset == r.offset;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data) * 31 + Long.hashCode(offset);
  }

  @Override
  public String toString() {
    return "TfRecord{" + data.length + " bytes, " + location() + "}";
  }
}
