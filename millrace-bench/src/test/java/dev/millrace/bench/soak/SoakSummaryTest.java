package dev.millrace.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakSummaryTest {
  private static final long MIB = 1 << 20;

  /** A sample every 10 s for {@code minutes}; rss grows by {@code leakMibPerHour}. */
  private static List<SoakSummary.Sample> run(int minutes, double leakMibPerHour, int extraFiles) {
    List<SoakSummary.Sample> samples = new ArrayList<>();
    for (int t = 10; t <= minutes * 60; t += 10) {
      // Start-up: heap and threads grow in the first two minutes, then a sawtooth of collections.
      long rss = t < 120 ? 200 * MIB + t * MIB : 320 * MIB + (t % 60 == 0 ? 0 : 15 * MIB);
      rss += (long) (leakMibPerHour * MIB * t / 3600);
      int files = 20 + (t > minutes * 30 ? extraFiles : 0);
      samples.add(new SoakSummary.Sample(t, new ProcessCounters(rss, t < 60 ? 20 : 30, files)));
    }
    return samples;
  }

  @Test
  void aSteadyJobIsFlatDespiteItsStartUpAndItsCollections() {
    SoakSummary s = SoakSummary.of(run(60, 0, 0), 600, 300);
    assertEquals(335 * MIB, s.baseline().rssBytes());
    assertEquals(335 * MIB, s.last().rssBytes());
    assertEquals(0, s.threadGrowth());
    assertTrue(s.flat(), s.markdown());
    assertTrue(Math.abs(s.rssSlopeBytesPerHour()) < 2 * MIB, s.markdown());
    assertTrue(s.markdown().contains("| growth | +0.0 % | +0.0 % | +0.0 % |"), s.markdown());
  }

  @Test
  void aSlowLeakShowsAsGrowthAndAsATrend() {
    SoakSummary s = SoakSummary.of(run(60, 40, 0), 600, 300);
    assertFalse(s.flat(), s.markdown());
    assertTrue(s.rssGrowth() > 0.05, s.markdown());
    assertEquals(40, s.rssSlopeBytesPerHour() / MIB, 1.0);
  }

  @Test
  void leakedFileHandlesAreGrowth() {
    SoakSummary s = SoakSummary.of(run(60, 0, 5), 600, 300);
    assertEquals(0.25, s.fileGrowth(), 1e-9);
    assertFalse(s.flat());
    assertTrue(s.markdown().contains("GROWTH"), s.markdown());
  }

  @Test
  void aFileOpenForOneSampleIsNotALeak() {
    List<SoakSummary.Sample> samples = new ArrayList<>(run(60, 0, 0));
    SoakSummary.Sample last = samples.removeLast();
    ProcessCounters c = last.counters();
    samples.add(
        new SoakSummary.Sample(
            last.seconds(), new ProcessCounters(c.rssBytes(), c.threads(), c.openFiles() + 1)));
    SoakSummary s = SoakSummary.of(samples, 600, 300);
    assertEquals(0, s.fileGrowth());
    assertTrue(s.flat(), s.markdown());
  }

  @Test
  void aRecordedRunReadsBackAsItWasWritten(@TempDir Path dir) throws IOException {
    List<SoakSummary.Sample> samples = run(30, 10, 2);
    Path csv = dir.resolve("soak.csv");
    Soak.writeCsv(samples, csv);
    List<SoakSummary.Sample> back = Soak.readCsv(csv);
    assertEquals(samples.size(), back.size());
    assertEquals(samples.get(100).counters(), back.get(100).counters());
    assertEquals(samples.get(100).seconds(), back.get(100).seconds(), 0.05);
  }

  @Test
  void aRunTooShortForTwoWindowsAfterTheWarmUpIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SoakSummary.of(run(15, 0, 0), 600, 300));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
  }

  @Test
  void optionsNeedACommandAndRoomForTheWindows() {
    assertThrows(
        IllegalArgumentException.class, () -> Soak.Options.parse(new String[] {"--minutes", "5"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> Soak.Options.parse(new String[] {"--minutes", "15", "--", "true"}));
    Soak.Options o =
        Soak.Options.parse(
            new String[] {"--minutes", "30", "--interval", "5", "--", "sleep", "100"});
    assertEquals(List.of("sleep", "100"), o.command());
    assertEquals(5, o.intervalSeconds());
  }
}
