package dev.millrace.data;

import dev.millrace.records.CorruptRecordException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A pipeline failure, thrown in the consumer's thread by {@link DatasetIterator#next()}: a user
 * function threw, a record was corrupt or could not be decoded, a file could not be read. It names
 * the stage and the index of the element there (counted from 0 at that stage's input since the
 * iterator was opened) and, for records, file and byte offset through its cause, a {@link
 * CorruptRecordException}: {@code map#2 failed on element 41: train-00003-of-00012.tfrecord@1048576
 * (record 812): data CRC mismatch}.
 *
 * <p>Unchecked because {@link java.util.Iterator#next()} cannot throw checked exceptions; the
 * checked original is the cause. Once the consumer sees one, the iterator has already stopped every
 * thread it started.
 */
public final class PipelineException extends RuntimeException {
  private final String stage;
  private final long elementIndex;
  private final boolean elementError;

  /**
   * @param stage the stage that failed ({@code map#2})
   * @param elementIndex the failing element's index at that stage's input, or -1 if the failure
   *     concerns no single element (a file that cannot be opened)
   * @param elementError whether the failure concerns one element only, so that the stage can go on
   *     with the next one (what {@link Dataset#ignoreErrors()} skips)
   * @param cause what went wrong
   */
  public PipelineException(String stage, long elementIndex, boolean elementError, Throwable cause) {
    super(message(stage, elementIndex, cause), cause);
    this.stage = stage;
    this.elementIndex = elementIndex;
    this.elementError = elementError;
  }

  private static String message(String stage, long index, Throwable cause) {
    String what = cause.getMessage();
    if (what == null || what.isBlank() || !(cause instanceof java.io.IOException)) {
      what = cause.getClass().getSimpleName() + (what == null ? "" : ": " + what);
    }
    return stage + (index >= 0 ? " failed on element " + index : " failed") + ": " + what;
  }

  /** The stage that failed, such as {@code map#2}. */
  public String stage() {
    return stage;
  }

  /** The failing element's index at the stage's input; -1 if no single element is concerned. */
  public long elementIndex() {
    return elementIndex;
  }

  /** Whether only this element failed (the stage could go on; {@code ignoreErrors} skips it). */
  public boolean isElementError() {
    return elementError;
  }

  /** The corrupt or undecodable record's file, if a record is concerned. */
  public Optional<Path> file() {
    return corruption().map(CorruptRecordException::file);
  }

  /** The corrupt record's byte offset in its file, if a record is concerned. */
  public OptionalLong offset() {
    return corruption().map(c -> OptionalLong.of(c.offset())).orElse(OptionalLong.empty());
  }

  /** The corrupt record's index in its file, if a record is concerned. */
  public OptionalLong recordIndex() {
    return corruption().map(c -> OptionalLong.of(c.recordIndex())).orElse(OptionalLong.empty());
  }

  private Optional<CorruptRecordException> corruption() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof CorruptRecordException c) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
