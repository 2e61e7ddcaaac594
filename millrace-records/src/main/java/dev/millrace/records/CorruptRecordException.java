package dev.millrace.records;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A record that fails TFRecord's checks: a length or data CRC mismatch, or a file that ends inside
 * a record. The message reads {@code file@offset (record N): problem}, so a user can find the
 * bytes; a reader of part of a file ({@link RecordReader#openSplit}) cannot know N and says {@code
 * file@offset: problem}.
 */
public final class CorruptRecordException extends IOException {
  // Paths are not serializable; the message names the file wherever the exception travels (from a
  // Spark task to its driver, say).
  private final transient Path file;
  private final long recordIndex;
  private final long offset;
  private final String problem;

  public CorruptRecordException(
      Path file, long recordIndex, long offset, boolean compressed, String problem) {
    super(
        file
            + "@"
            + offset
            + (compressed ? " of the decompressed stream" : "")
            + (recordIndex >= 0 ? " (record " + recordIndex + ")" : "")
            + ": "
            + problem);
    this.file = file;
    this.recordIndex = recordIndex;
    this.offset = offset;
    this.problem = problem;
  }

  /** The file; null once the exception has been deserialized (its message still names it). */
  public Path file() {
    return file;
  }

  /**
   * Zero-based index of the record in its file, counting earlier corrupt records; -1 when a reader
   * of part of the file found it.
   */
  public long recordIndex() {
    return recordIndex;
  }

  /** Byte offset of the record's header (in the decompressed stream for compressed files). */
  public long offset() {
    return offset;
  }

  /** The problem alone, without the location. */
  public String problem() {
    return problem;
  }
}
