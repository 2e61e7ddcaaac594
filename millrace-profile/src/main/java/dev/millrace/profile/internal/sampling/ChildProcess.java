package dev.millrace.profile.internal.sampling;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a short-lived command and returns what it printed, never leaving a process behind: on a
 * timeout, an interruption or an exception the command and every process it started are killed
 * before this returns. Standard error is discarded (warnings there must not spoil the output);
 * standard output is read on the calling thread, up to {@value #MAX_OUTPUT} bytes.
 */
public final class ChildProcess {
  /** More than any sane answer of a monitoring tool; a runaway one is cut off. */
  static final int MAX_OUTPUT = 1 << 20;

  private ChildProcess() {}

  /** The exit status and standard output of a command that ended by itself. */
  public record Outcome(int exitCode, String output) {}

  /**
   * Runs {@code command}; {@code running} holds the process while it runs, so that another thread
   * can {@link #kill} it to end the wait early.
   *
   * @throws IOException if it could not be started, or did not end within {@code timeout}
   * @throws InterruptedException if interrupted while waiting (the process is killed)
   */
  public static Outcome run(
      List<String> command, Duration timeout, AtomicReference<Process> running)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    running.set(p);
    try {
      // Nothing to say to it: a command that reads its input gets end-of-file at once.
      p.getOutputStream().close();
      // The output of such a command fits the pipe buffer, so waiting before reading cannot
      // deadlock; a command that writes more than that blocks and is cut off by the timeout.
      if (!p.waitFor(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        throw new IOException(
            command.getFirst() + " did not finish within " + timeout.toMillis() + " ms");
      }
      try (InputStream in = p.getInputStream()) {
        byte[] out = in.readNBytes(MAX_OUTPUT);
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8));
      }
    } finally {
      kill(p);
      running.compareAndSet(p, null);
    }
  }

  /** Kills {@code p} and its descendants (a wrapper script's children too); null is ignored. */
  public static void kill(Process p) {
    if (p == null) {
      return;
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }
}
