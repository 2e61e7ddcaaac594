package dev.millrace.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command for a fixed time and samples its resident memory, threads and open file handles
 * every interval; at the end it stops the command (SIGTERM, then SIGKILL after 30 s), writes every
 * sample to a CSV file and prints a {@link SoakSummary}. The command is expected to run at least as
 * long as the soak (e.g. {@code millrace train} with many epochs); one that ends early ends the
 * soak, and one that fails makes it fail.
 *
 * <pre>
 * java -cp millrace-bench/target/benchmarks.jar dev.millrace.bench.soak.Soak \
 *     --minutes 60 --interval 10 --warmup 10 --window 5 --csv soak.csv --log soak.log \
 *     -- ./millrace train --data DIR --model fashion-cnn --epochs 1000 ...
 * </pre>
 *
 * The sampled process is the command's own: a wrapper script must {@code exec} the JVM (as {@code
 * ./millrace} does), and should not build anything first (run it once before the soak).
 */
public final class Soak {
  private Soak() {}

  /** What the command line asks for. */
  record Options(
      double minutes,
      double intervalSeconds,
      double warmupMinutes,
      double windowMinutes,
      Path csv,
      Path log,
      List<String> command) {

    static Options parse(String[] args) {
      double minutes = 60;
      double interval = 10;
      double warmup = 10;
      double window = 5;
      Path csv = Path.of("soak.csv");
      Path log = Path.of("soak.log");
      int i = 0;
      for (; i < args.length && !args[i].equals("--"); i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--minutes" -> minutes = Double.parseDouble(value);
          case "--interval" -> interval = Double.parseDouble(value);
          case "--warmup" -> warmup = Double.parseDouble(value);
          case "--window" -> window = Double.parseDouble(value);
          case "--csv" -> csv = Path.of(value);
          case "--log" -> log = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (i >= args.length - 1) {
        throw new IllegalArgumentException("no command: put it after --");
      }
      if (interval <= 0 || minutes < warmup + 2 * window) {
        throw new IllegalArgumentException(
            "--minutes must cover --warmup and two --window, and --interval must be positive");
      }
      List<String> command = List.copyOf(Arrays.asList(args).subList(i + 1, args.length));
      return new Options(minutes, interval, warmup, window, csv, log, command);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("--summarise")) {
      summariseRecorded(args);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.println(
          "usage: Soak [--minutes 60] [--interval 10] [--warmup 10] [--window 5]"
              + " [--csv soak.csv] [--log soak.log] -- COMMAND...");
      System.exit(2);
      return;
    }
    List<SoakSummary.Sample> samples = run(options, System.out);
    writeCsv(samples, options.csv());
    SoakSummary summary =
        SoakSummary.of(samples, options.warmupMinutes() * 60, options.windowMinutes() * 60);
    System.out.println();
    System.out.print(summary.markdown());
  }

  /**
   * {@code --summarise soak.csv [--warmup 10] [--window 5]}: the summary of a recorded run, e.g. to
   * look at it with other windows.
   */
  private static void summariseRecorded(String[] args) throws IOException {
    double warmup = 10;
    double window = 5;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
        case "--window" -> window = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<SoakSummary.Sample> samples = readCsv(Path.of(args[1]));
    System.out.print(SoakSummary.of(samples, warmup * 60, window * 60).markdown());
  }

  /** Reads what {@link #writeCsv} wrote. */
  static List<SoakSummary.Sample> readCsv(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<SoakSummary.Sample> samples = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      try {
        samples.add(
            new SoakSummary.Sample(
                Double.parseDouble(f[0]),
                new ProcessCounters(
                    Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]))));
      } catch (RuntimeException e) {
        throw new IOException(csv + ": line " + (i + 1) + " is not a sample: " + lines.get(i));
      }
    }
    return samples;
  }

  /** Starts the command, samples it until the time is up or it ends, and stops it. */
  static List<SoakSummary.Sample> run(Options options, PrintStream out)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(options.command())
            .redirectErrorStream(true)
            .redirectOutput(options.log().toFile())
            .start();
    process.getOutputStream().close();
    Path proc = Path.of("/proc", Long.toString(process.pid()));
    long start = System.nanoTime();
    long end = start + (long) (options.minutes() * 60e9);
    long interval = (long) (options.intervalSeconds() * 1e9);
    List<SoakSummary.Sample> samples = new ArrayList<>();
    try {
      for (long next = start + interval; next <= end; next += interval) {
        if (process.waitFor(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        ProcessCounters counters;
        try {
          counters = ProcessCounters.read(proc);
        } catch (IOException e) {
          // The process ended between the wait and the read.
          break;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        samples.add(new SoakSummary.Sample(seconds, counters));
        out.printf(
            Locale.ROOT,
            "%6.1f min  rss %8.1f MiB  threads %4d  open files %4d%n",
            seconds / 60,
            counters.rssBytes() / (double) (1 << 20),
            counters.threads(),
            counters.openFiles());
      }
      if (!process.isAlive() && process.exitValue() != 0) {
        throw new IOException(
            "the command failed (exit "
                + process.exitValue()
                + ") after "
                + (System.nanoTime() - start) / 60_000_000_000L
                + " min; its output is in "
                + options.log());
      }
    } finally {
      stop(process);
    }
    return samples;
  }

  private static void stop(Process process) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  static void writeCsv(List<SoakSummary.Sample> samples, Path csv) throws IOException {
    Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write("seconds,rss_bytes,threads,open_files\n");
      for (SoakSummary.Sample s : samples) {
        w.write(
            String.format(
                Locale.ROOT,
                "%.1f,%d,%d,%d%n",
                s.seconds(),
                s.counters().rssBytes(),
                s.counters().threads(),
                s.counters().openFiles()));
      }
    }
    Files.move(
        tmp,
        csv,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
