package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI in a child JVM of its own, for tests that kill it: {@code kill -9} must hit a real
 * process, with no shutdown hook and no {@code finally} block run.
 */
final class ChildCli {
  /** The exit status of a process ended by SIGKILL (128 + 9). */
  static final int KILLED = 137;

  private final Process process;
  private final Path log;
  private final long startNanos;

  private ChildCli(Process process, Path log, long startNanos) {
    this.process = process;
    this.log = log;
    this.startNanos = startNanos;
  }

  /** Starts {@code millrace <args>}; standard output and error go to {@code log}. */
  static ChildCli start(Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // Starts sooner: these children run for a second or two, too short for the top JIT tier.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("--add-modules");
    command.add("jdk.incubator.vector");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildCli(p, log, start);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Milliseconds since the process was started. */
  long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /**
   * Sends SIGKILL ({@link Process#destroyForcibly()} on Unix) and waits until the process is gone.
   *
   * @return its exit status: {@link #KILLED}, or its own status if it ended before the signal
   */
  int kill() throws IOException, InterruptedException {
    process.destroyForcibly();
    return await(30);
  }

  /** Waits for the process to end by itself and returns its exit status. */
  int await(int seconds) throws IOException, InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("millrace did not end within " + seconds + " s; log:\n" + output());
    }
    assertThat(process.exitValue()).isNotNegative();
    return process.exitValue();
  }

  /** What the process printed so far. */
  String output() throws IOException {
    return Files.readString(log);
  }
}
