package dev.millrace.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks keep the files they write once and reuse in later runs (writing tens of
 * thousands of files, or a converted data set, takes longer than the benchmark itself): property
 * {@code millrace.bench.cache}, else {@code millrace-bench/target/bench-cache} when run from the
 * repository root, else the temporary folder. A cached folder is trusted only once its {@code
 * complete} marker exists, which its writer writes last.
 */
public final class BenchCache {
  /** The file whose presence says a cached folder was written to the end. */
  public static final String MARKER = "complete";

  private BenchCache() {}

  /** The cache's root folder (not created). */
  public static Path root() {
    String p = System.getProperty("millrace.bench.cache");
    if (p != null) {
      return Path.of(p);
    }
    Path target = Path.of("millrace-bench", "target");
    return Files.isDirectory(target)
        ? target.resolve("bench-cache")
        : Path.of(System.getProperty("java.io.tmpdir"), "millrace-bench-cache");
  }

  /** Whether {@code dir} was written to the end. */
  public static boolean isComplete(Path dir) {
    return Files.isRegularFile(dir.resolve(MARKER));
  }

  /** Writes {@code dir}'s marker, saying what it holds: the last step of filling it. */
  public static void markComplete(Path dir, String contents) throws IOException {
    Files.writeString(dir.resolve(MARKER), contents + "\n");
  }

  /** Deletes {@code dir} and everything in it, if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
