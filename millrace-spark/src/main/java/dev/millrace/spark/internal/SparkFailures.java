package dev.millrace.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;

/** Spark's failures turned back into what the task threw. */
final class SparkFailures {
  private SparkFailures() {}

  /**
   * The task's own exception if it was an {@link IOException} (a {@link
   * dev.millrace.convert.BadInputException} naming the file, a {@link
   * dev.millrace.records.CorruptRecordException}), else an {@link IOException} with the innermost
   * message; Spark's wrapping ("Job aborted due to stage failure: ...") is dropped.
   */
  static IOException unwrap(ExecutionException e) {
    Throwable t = e.getCause() == null ? e : e.getCause();
    Throwable innermost = t;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UncheckedIOException u) {
        return u.getCause();
      }
      if (c instanceof IOException io) {
        return io;
      }
      innermost = c;
      if (c.getCause() == c) {
        break;
      }
    }
    return new IOException(innermost.getMessage(), t);
  }
}
