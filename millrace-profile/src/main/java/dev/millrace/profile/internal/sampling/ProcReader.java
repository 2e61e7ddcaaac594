package dev.millrace.profile.internal.sampling;

import dev.millrace.profile.UtilisationSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the process's and the machine's counters from a {@code /proc} directory (the real one, or a
 * recorded copy in tests) and turns two readings into a {@link UtilisationSample}. The process's
 * {@code stat} is required; the machine's {@code stat} and the process's {@code io} are optional
 * (containers and hardened kernels may hide them), probed once so that a missing one costs nothing
 * afterwards.
 */
public final class ProcReader {
  /** Counters at one instant; {@code machine} and {@code io} are null where not readable. */
  public record Reading(
      long nanoTime,
      long wallMillis,
      ProcFiles.ProcessTicks process,
      ProcFiles.MachineTicks machine,
      ProcFiles.IoCounters io) {}

  private final Path processStat;
  private final Path machineStat;
  private final Path processIo;
  private final boolean hasMachine;
  private final boolean hasIo;

  private ProcReader(Path root) {
    this.processStat = root.resolve("self").resolve("stat");
    this.machineStat = root.resolve("stat");
    this.processIo = root.resolve("self").resolve("io");
    this.hasMachine = readable(machineStat, ProcFiles::parseMachineStat);
    this.hasIo = readable(processIo, ProcFiles::parseIo);
  }

  /**
   * A reader of {@code root}, or the reason there is none (no readable, parsable {@code self/stat}:
   * not Linux, or {@code /proc} not mounted).
   */
  public static Result open(Path root) {
    Path stat = root.resolve("self").resolve("stat");
    try {
      ProcFiles.parseProcessStat(read(stat));
    } catch (IOException | IllegalArgumentException e) {
      return new Result(
          null, Optional.of(stat + " is not readable (" + e.getMessage() + "); not Linux?"));
    }
    return new Result(new ProcReader(root), Optional.empty());
  }

  /** A reader, or why there is none. */
  public record Result(ProcReader reader, Optional<String> unavailable) {}

  public boolean hasMachine() {
    return hasMachine;
  }

  public boolean hasIo() {
    return hasIo;
  }

  /** Reads the counters now. */
  public Reading read() throws IOException {
    long now = System.nanoTime();
    long wall = System.currentTimeMillis();
    ProcFiles.ProcessTicks p = ProcFiles.parseProcessStat(read(processStat));
    ProcFiles.MachineTicks m = hasMachine ? ProcFiles.parseMachineStat(read(machineStat)) : null;
    ProcFiles.IoCounters io = hasIo ? ProcFiles.parseIo(read(processIo)) : null;
    return new Reading(now, wall, p, m, io);
  }

  /**
   * The sample of the interval between two readings, for a process that may use {@code cpus} CPUs.
   * Counters that went backwards (a wrapped or reset counter) read as unknown rather than negative.
   */
  public static UtilisationSample between(Reading before, Reading after, int cpus) {
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be >= 1, got " + cpus);
    }
    long dt = Math.max(1, after.nanoTime() - before.nanoTime());
    long ticks = after.process().totalTicks() - before.process().totalTicks();
    double cores =
        ticks < 0 ? Double.NaN : (double) ticks / ProcFiles.TICKS_PER_SECOND / (dt / 1e9);
    double machine = Double.NaN;
    if (before.machine() != null && after.machine() != null) {
      long busy = after.machine().busyTicks() - before.machine().busyTicks();
      long total = after.machine().totalTicks() - before.machine().totalTicks();
      if (busy >= 0 && total > 0 && busy <= total) {
        machine = (double) busy / total;
      }
    }
    long disk = -1;
    long chars = -1;
    if (before.io() != null && after.io() != null) {
      disk = nonNegative(after.io().readBytes() - before.io().readBytes());
      chars = nonNegative(after.io().readChars() - before.io().readChars());
    }
    return new UtilisationSample(
        after.nanoTime(), after.wallMillis(), dt, cores / cpus, cores, machine, disk, chars);
  }

  private static long nonNegative(long delta) {
    return delta < 0 ? -1 : delta;
  }

  private static boolean readable(Path file, java.util.function.Function<String, ?> parser) {
    try {
      parser.apply(read(file));
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String read(Path file) throws IOException {
    // /proc files report size 0; readAllBytes reads to the end regardless. Latin-1 keeps any byte.
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
  }
}
