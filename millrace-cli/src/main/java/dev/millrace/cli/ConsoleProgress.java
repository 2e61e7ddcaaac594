package dev.millrace.cli;

import dev.millrace.convert.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on standard error: a bar redrawn in place on a terminal, plain lines (at most one every
 * few seconds) when the output is piped or logged, so logs stay readable.
 */
final class ConsoleProgress implements ProgressListener {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final long PLAIN_LINE_NANOS = 5_000_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private String task = "";
  private long total;
  private long done;
  private long startNanos;
  private long lastDrawNanos;

  ConsoleProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** Progress for this process's standard error: a bar only if it is an interactive terminal. */
  static ConsoleProgress forStandardError(PrintWriter err) {
    var console = System.console();
    return new ConsoleProgress(err, console != null && console.isTerminal());
  }

  @Override
  public void begin(String task, long totalUnits) {
    begin(task, totalUnits, 0);
  }

  @Override
  public synchronized void begin(String task, long totalUnits, long elapsedNanos) {
    this.task = task;
    this.total = totalUnits;
    this.done = 0;
    this.lastDrawNanos = System.nanoTime();
    this.startNanos = lastDrawNanos - Math.max(0, elapsedNanos);
    if (!terminal) {
      err.println(
          task
              + ": "
              + (total > 0 ? String.format(Locale.ROOT, "%,d", total) + " to do" : "started"));
      err.flush();
    }
  }

  @Override
  public synchronized void advance(long units) {
    done += units;
    long now = System.nanoTime();
    if (now - lastDrawNanos >= (terminal ? REDRAW_NANOS : PLAIN_LINE_NANOS)) {
      lastDrawNanos = now;
      draw(now, false);
    }
  }

  @Override
  public synchronized void end() {
    draw(System.nanoTime(), true);
  }

  /**
   * True when a task ended before its total: {@code end} also comes when a task fails, and a failed
   * conversion must not read as finished.
   */
  private boolean stoppedShort() {
    return total > 0 && done < total;
  }

  private void draw(long now, boolean finished) {
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    double rate = done / seconds;
    String counts =
        total > 0
            ? String.format(Locale.ROOT, "%,d/%,d", done, total)
            : String.format(Locale.ROOT, "%,d", done);
    String speed = String.format(Locale.ROOT, "%,.0f/s", rate);
    if (terminal) {
      double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      String eta =
          finished && stoppedShort()
              ? "stopped"
              : finished || rate <= 0 || total <= 0
                  ? String.format(Locale.ROOT, "%.1fs", seconds)
                  : String.format(Locale.ROOT, "ETA %.0fs", (total - done) / rate);
      err.print(
          String.format(
              Locale.ROOT,
              "\r%-12s [%s%s] %3.0f%% %s %s %s\u001b[K",
              task,
              "#".repeat(filled),
              " ".repeat(BAR_WIDTH - filled),
              fraction * 100,
              counts,
              speed,
              eta));
      if (finished) {
        err.println();
      }
    } else {
      err.println(
          String.format(
              Locale.ROOT,
              "%s: %s%s (%s, %.1fs)",
              task,
              counts,
              finished ? (stoppedShort() ? " stopped" : " done") : "",
              speed,
              seconds));
    }
    err.flush();
  }
}
