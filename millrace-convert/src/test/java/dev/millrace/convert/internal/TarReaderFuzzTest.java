package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.convert.BadInputException;
import dev.millrace.testkit.FuzzInputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link TarReader}: every {@code .tar.gz} is walked to its end, each
 * file entry read whole (up to a 64 KiB limit), or refused with a {@link BadInputException} naming
 * the archive — never another exception, an out-of-memory or a hang; and no entry it returns has a
 * name or link target that leaves the archive's folder.
 *
 * <p>The control byte (see {@link FuzzInputs}): bit 0 takes the payload as the {@code .tar.gz} file
 * itself; else the payload is the tar stream, gzipped here, so that the fuzzer works on tar headers
 * rather than on deflate data.
 */
class TarReaderFuzzTest {
  private static final long MAX_ENTRY_BYTES = 64 * 1024;

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readsOrRejects(byte[] input) throws IOException {
    byte[] payload = FuzzInputs.payload(input);
    byte[] file = (FuzzInputs.control(input) & 1) != 0 ? payload : FuzzInputs.gzip(payload);
    Path path = FuzzInputs.file("archive.tar.gz", file);
    try (TarReader tar = TarReader.open(path)) {
      for (TarArchiveEntry e = tar.next(); e != null; e = tar.next()) {
        assertThat(TarReader.escapes(e.getName())).isFalse();
        if (TarReader.isLink(e)) {
          assertThat(TarReader.escapes(e.getLinkName())).isFalse();
        } else if (e.isFile()) {
          byte[] data = tar.read(e, MAX_ENTRY_BYTES);
          assertThat((long) data.length).isEqualTo(e.getSize());
        }
      }
    } catch (BadInputException e) {
      assertThat(e.getMessage()).startsWith(path.toString()).doesNotContain("\n");
    }
  }
}
