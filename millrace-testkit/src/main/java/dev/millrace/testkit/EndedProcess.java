package dev.millrace.testkit;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The process id of a process that has run, ended and been reaped: what a writer killed with {@code
 * kill -9} leaves in the names of its temporary files and staging folders.
 */
public final class EndedProcess {
  private EndedProcess() {}

  /**
   * Starts {@code true}, waits for it and returns its id, checked to belong to no running process.
   */
  public static long pid() throws IOException {
    Process p = new ProcessBuilder("true").start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("'true' did not end within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for 'true'", e);
    }
    long pid = p.pid();
    if (ProcessHandle.of(pid).isPresent()) {
      throw new IOException("process id " + pid + " was taken again at once; run the test again");
    }
    return pid;
  }
}
