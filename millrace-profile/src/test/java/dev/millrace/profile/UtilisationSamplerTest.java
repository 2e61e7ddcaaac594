package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CPU sampler's thread, ring and summary, on a recorded /proc tree and on the real one. */
class UtilisationSamplerTest {
  @TempDir Path tmp;

  @AfterEach
  void noSamplerThreadLeft() {
    assertThat(SamplerThreads.alive("millrace-utilisation-sampler")).isEmpty();
  }

  @Test
  void keepsOnlyTheLatestSamplesButSummarisesAllOfThem() throws Exception {
    Path proc = copyOfRecordedProc();
    try (UtilisationSampler s = UtilisationSampler.start(proc, Duration.ofMillis(5), 3, 2)) {
      assertThat(s.state()).isEqualTo(SamplerState.RUNNING);
      assertThat(s.message()).isEmpty();
      waitFor(() -> s.summary().samples() >= 10);
      List<UtilisationSample> kept = s.samples();
      assertThat(kept).hasSize(3);
      assertThat(kept)
          .isSortedAccordingTo(java.util.Comparator.comparingLong(UtilisationSample::nanoTime));
      assertThat(s.latest()).isPresent();
      assertThat(s.summary().samples()).isGreaterThanOrEqualTo(10);
      // The recorded files do not change: nothing ran, nothing was read.
      assertThat(kept)
          .allSatisfy(
              u -> {
                assertThat(u.processCores()).isZero();
                assertThat(u.diskReadBytes()).isZero();
                assertThat(u.machineCpu()).isNaN();
              });
    }
  }

  @Test
  void samplesReadTheFilesEachTime() throws Exception {
    Path proc = copyOfRecordedProc();
    try (UtilisationSampler s = UtilisationSampler.start(proc, Duration.ofMillis(5), 100, 2)) {
      waitFor(() -> s.summary().samples() >= 1);
      // The next reading sees proc-b's counters: 150 more ticks, 1 MiB more read from disk.
      copyTree(Fixtures.path("proc-b"), proc);
      // The three files are replaced one by one: wait until a reading has seen each new one.
      waitFor(
          () -> {
            UtilisationSummary now = s.summary();
            return now.diskReadBytes() > 0 && now.maxProcessCores() > 0 && now.maxMachineCpu() > 0;
          });
      UtilisationSummary sum = s.summary();
      assertThat(sum.diskReadBytes()).isEqualTo(1 << 20);
      assertThat(sum.readBytes()).isEqualTo(8_000_000);
      assertThat(sum.maxProcessCores()).isGreaterThan(0);
      assertThat(sum.maxMachineCpu()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void withoutProcTheSamplerIsUnavailableAndSaysWhy() {
    try (UtilisationSampler s =
        UtilisationSampler.start(tmp.resolve("no-proc"), Duration.ofMillis(5), 10, 2)) {
      assertThat(s.state()).isEqualTo(SamplerState.UNAVAILABLE);
      assertThat(s.message()).get().asString().contains("no-proc").contains("not Linux?");
      assertThat(s.samples()).isEmpty();
      assertThat(s.summary().samples()).isZero();
      assertThat(s.summary().meanProcessCpu()).isNaN();
    }
  }

  @Test
  void withoutIoCountersTheSamplerRunsAndSaysWhatIsMissing() throws Exception {
    Path proc = copyOfRecordedProc();
    Files.delete(proc.resolve("self/io"));
    try (UtilisationSampler s = UtilisationSampler.start(proc, Duration.ofMillis(5), 10, 2)) {
      assertThat(s.state()).isEqualTo(SamplerState.RUNNING);
      assertThat(s.message()).get().asString().contains("io is not readable");
      waitFor(() -> s.summary().samples() >= 2);
      assertThat(s.samples()).allSatisfy(u -> assertThat(u.diskReadBytes()).isEqualTo(-1));
      assertThat(s.summary().diskReadBytes()).isEqualTo(-1);
    }
  }

  @Test
  void closeStopsTheThreadAndKeepsTheSamples() throws Exception {
    UtilisationSampler s =
        UtilisationSampler.start(copyOfRecordedProc(), Duration.ofMillis(5), 10, 2);
    waitFor(() -> s.summary().samples() >= 2);
    s.close();
    assertThat(s.state()).isEqualTo(SamplerState.CLOSED);
    assertThat(SamplerThreads.alive("millrace-utilisation-sampler")).isEmpty();
    long taken = s.summary().samples();
    assertThat(s.samples()).isNotEmpty();
    Thread.sleep(30);
    assertThat(s.summary().samples()).isEqualTo(taken);
    s.close();
  }

  @Test
  void theRealProcShowsThisProcessWorking() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux only");
    int cpus = Runtime.getRuntime().availableProcessors();
    try (UtilisationSampler s = UtilisationSampler.start(Duration.ofMillis(50), 100)) {
      assertThat(s.state()).isEqualTo(SamplerState.RUNNING);
      long h = 1;
      while (s.summary().samples() < 3) {
        h = h * 6364136223846793005L + 1442695040888963407L;
      }
      assertThat(h).isNotZero();
      for (UtilisationSample u : s.samples()) {
        // Clock ticks are 10 ms: over 50 ms a sample may read a tick more than it used.
        assertThat(u.processCores()).isBetween(0.0, cpus + 1.0);
        assertThat(u.wallMillis()).isPositive();
        if (!Double.isNaN(u.machineCpu())) {
          assertThat(u.machineCpu()).isBetween(0.0, 1.0);
        }
      }
      assertThat(s.summary().maxProcessCores()).isPositive();
    }
  }

  private Path copyOfRecordedProc() throws IOException {
    Path proc = tmp.resolve("proc");
    copyTree(Fixtures.path("proc-a"), proc);
    return proc;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          // Written whole then renamed, so the sampler never reads half a file.
          Path part = target.resolveSibling(target.getFileName() + ".part");
          Files.copy(p, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              part,
              target,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
    }
  }

  /** Waits for a condition the sampler makes true; generous, so a loaded machine does not fail. */
  static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached in 30 s").isLessThan(deadline);
      Thread.sleep(2);
    }
  }
}
