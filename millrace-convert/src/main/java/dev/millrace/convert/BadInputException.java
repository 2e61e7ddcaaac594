package dev.millrace.convert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The input is not what its format promises. The message is one line that says where and what:
 * {@code <file>[!<archive entry>][@<byte offset>][ (record <n>)]: <problem>}, for example {@code
 * train-images-idx3-ubyte.gz@0: magic 0x00000802, expected 0x00000803} or {@code
 * cifar-10-python.tar.gz!cifar-10-batches-py/data_batch_1@118: global 'os system' is not allowed}.
 * Offsets inside compressed files count uncompressed bytes; inside an archive entry they count from
 * the entry's start.
 */
public final class BadInputException extends IOException {
  private final transient Path file;
  private final String entry;
  private final long offset;
  private final long record;
  private final String problem;

  private BadInputException(
      Path file, String entry, long offset, long record, String problem, Throwable cause) {
    super(format(file, entry, offset, record, problem), cause);
    this.file = file;
    this.entry = entry;
    this.offset = offset;
    this.record = record;
    this.problem = problem;
  }

  /** A problem with a file as a whole. */
  public static BadInputException of(Path file, String problem) {
    return new BadInputException(file, null, -1, -1, problem, null);
  }

  /** A problem with a file as a whole, caused by a lower-level failure (a corrupt gzip stream). */
  public static BadInputException of(Path file, String problem, Throwable cause) {
    return new BadInputException(file, null, -1, -1, problem, cause);
  }

  /** A problem at a byte offset of a file. */
  public static BadInputException atOffset(Path file, long offset, String problem) {
    return new BadInputException(file, null, offset, -1, problem, null);
  }

  /** A problem with the {@code record}-th (zero-based) record of a file, at a byte offset. */
  public static BadInputException atRecord(Path file, long offset, long record, String problem) {
    return new BadInputException(file, null, offset, record, problem, null);
  }

  /** A problem with an entry of an archive as a whole. */
  public static BadInputException inEntry(Path archive, String entry, String problem) {
    return new BadInputException(archive, entry, -1, -1, problem, null);
  }

  /** A problem at a byte offset of an archive entry; {@code offset} counts from the entry start. */
  public static BadInputException inEntry(Path archive, String entry, long offset, String problem) {
    return new BadInputException(archive, entry, offset, -1, problem, null);
  }

  /** A problem with the {@code record}-th (zero-based) record of an archive entry. */
  public static BadInputException inEntryRecord(
      Path archive, String entry, long offset, long record, String problem) {
    return new BadInputException(archive, entry, offset, record, problem, null);
  }

  /** The file (or archive) that holds the bad data. */
  public Path file() {
    return file;
  }

  /** The archive entry that holds the bad data, if it is in an archive. */
  public Optional<String> entry() {
    return Optional.ofNullable(entry);
  }

  /** Byte offset of the bad data in the file (or entry), where known. */
  public OptionalLong offset() {
    return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
  }

  /** Zero-based index of the bad record, where the data is made of records. */
  public OptionalLong record() {
    return record < 0 ? OptionalLong.empty() : OptionalLong.of(record);
  }

  /** What is wrong, without the location. */
  public String problem() {
    return problem;
  }

  private static String format(Path file, String entry, long offset, long record, String problem) {
    StringBuilder b = new StringBuilder(String.valueOf(file));
    if (entry != null) {
      b.append('!').append(entry);
    }
    if (offset >= 0) {
      b.append('@').append(offset);
    }
    if (record >= 0) {
      b.append(" (record ").append(record).append(')');
    }
    // One line, whatever the problem text holds (a file name may contain a newline).
    return b.append(": ").append(problem).toString().replace('\n', ' ').replace('\r', ' ');
  }
}
