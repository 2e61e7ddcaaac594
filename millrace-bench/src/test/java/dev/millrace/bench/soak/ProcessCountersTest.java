package dev.millrace.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCountersTest {
  /** The lines around the two that matter, as Linux 6.1 writes them. */
  private static final String STATUS =
      "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 9990000 kB\n"
          + "VmRSS:\t  812344 kB\nRssAnon:\t  700000 kB\nThreads:\t41\nSigQ:\t0/95000\n";

  @Test
  void readsResidentMemoryThreadsAndFileHandlesFromAProcFolder(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("status"), STATUS);
    Path fd = Files.createDirectory(dir.resolve("fd"));
    for (int i = 0; i < 3; i++) {
      Files.createFile(fd.resolve(Integer.toString(i)));
    }
    ProcessCounters counters = ProcessCounters.read(dir);
    assertEquals(812344L * 1024, counters.rssBytes());
    assertEquals(41, counters.threads());
    assertEquals(3, counters.openFiles());
  }

  @Test
  void aStatusWithoutTheLineNamesTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("status"), "Name:\tjava\nThreads:\t4\n");
    Files.createDirectory(dir.resolve("fd"));
    IOException e = assertThrows(IOException.class, () -> ProcessCounters.read(dir));
    assertTrue(e.getMessage().contains("status has no VmRSS line"), e.getMessage());
  }

  @Test
  void seesAFileThisProcessOpens(@TempDir Path dir) throws IOException {
    Path self = Path.of("/proc/self");
    assumeTrue(Files.isDirectory(self.resolve("fd")), "needs Linux /proc");
    ProcessCounters before = ProcessCounters.read(self);
    try (var open = Files.newInputStream(Files.writeString(dir.resolve("f"), "x"))) {
      ProcessCounters during = ProcessCounters.read(self);
      assertEquals(before.openFiles() + 1, during.openFiles());
      assertTrue(during.rssBytes() > 0 && during.threads() >= 1);
    }
  }
}
