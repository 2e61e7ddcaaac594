package dev.millrace.data.internal;

import dev.millrace.data.PipelineException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CancellationException;

/** Turns what a stage catches into what it throws. */
final class Errors {
  private Errors() {}

  /** A failure of element {@code index} at stage {@code stage} (the stage can go on). */
  static RuntimeException element(String stage, long index, Throwable t) {
    return wrap(stage, index, true, t);
  }

  /** A failure after which the stage cannot go on. */
  static RuntimeException fatal(String stage, long index, Throwable t) {
    return wrap(stage, index, false, t);
  }

  private static RuntimeException wrap(String stage, long index, boolean element, Throwable t) {
    if (t instanceof PipelineException p) {
      return p;
    }
    if (t instanceof CancellationException c) {
      return c;
    }
    if (isInterruption(t)) {
      Thread.currentThread().interrupt();
      CancellationException c = new CancellationException("interrupted");
      c.initCause(t);
      return c;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new PipelineException(stage, index, element, t);
  }

  static boolean isInterruption(Throwable t) {
    return t instanceof InterruptedException
        || t instanceof ClosedByInterruptException
        || (t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException));
  }

  static CancellationException cancelled(InterruptedException e) {
    Thread.currentThread().interrupt();
    CancellationException c = new CancellationException("interrupted");
    c.initCause(e);
    return c;
  }
}
