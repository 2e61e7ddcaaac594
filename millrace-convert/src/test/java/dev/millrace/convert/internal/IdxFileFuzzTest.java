package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.convert.BadInputException;
import dev.millrace.testkit.FuzzInputs;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link IdxFile#read}: every input is read whole, with a header whose
 * dimensions account for every byte, or refused with a {@link BadInputException} naming the file —
 * never another exception, an out-of-memory (dimensions are checked against a 1 MiB limit and the
 * bytes that really follow) or a hang.
 *
 * <p>The control byte (see {@link FuzzInputs}): bit 0 reads an image file (magic {@code
 * 0x00000803}, three dimensions), else a label file ({@code 0x00000801}, one); bit 1 gzips the
 * payload and reads it as {@code .gz}; bit 2 (without bit 1) reads the payload itself as {@code
 * .gz}.
 */
class IdxFileFuzzTest {
  private static final long MAX_BYTES = 1 << 20;

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readsOrRejects(byte[] input) {
    int control = FuzzInputs.control(input);
    int magic = (control & 1) != 0 ? IdxFile.IMAGES_MAGIC : IdxFile.LABELS_MAGIC;
    byte[] payload = FuzzInputs.payload(input);
    boolean gzip = (control & 6) != 0;
    byte[] file = (control & 2) != 0 ? FuzzInputs.gzip(payload) : payload;
    Path path = FuzzInputs.file(gzip ? "train-idx-ubyte.gz" : "train-idx-ubyte", file);
    IdxFile idx;
    try {
      idx = IdxFile.read(path, magic, MAX_BYTES);
    } catch (BadInputException e) {
      assertThat(e.getMessage()).startsWith(path.toString()).doesNotContain("\n");
      return;
    } catch (java.io.IOException e) {
      throw new AssertionError("not a BadInputException: " + e, e);
    }
    long product = 1;
    for (int d : idx.dims()) {
      product *= d;
    }
    assertThat(idx.dims()).hasSize(magic & 0xff);
    assertThat(idx.dataOffset()).isEqualTo(4 + 4 * idx.dims().length);
    assertThat(idx.bytes()).hasSize((int) (idx.dataOffset() + product));
    if (!gzip) {
      assertThat(idx.bytes()).isEqualTo(payload);
    }
  }
}
