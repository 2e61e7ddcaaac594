package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.convert.BadInputException;
import dev.millrace.testkit.FuzzInputs;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the CIFAR pickle reader: {@link SafeUnpickler#load} and, for what it
 * loads, {@link CifarPythonConverter#toBatch}. Every input gives a value (and a batch, or the
 * reason it is not one) or a {@link BadInputException} — never another exception, an out-of-memory,
 * a stack overflow or a hang, and never a call to anything but numpy's array reconstruction.
 *
 * <p>The control byte (see {@link FuzzInputs}): its low three bits are how many bytes of padding
 * come before the pickle in the buffer read.
 */
class SafeUnpicklerFuzzTest {
  private static final Path ARCHIVE = Path.of("cifar-10-python.tar.gz");
  private static final String ENTRY = "cifar-10-batches-py/data_batch_1";

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void loadsOrRejects(byte[] input) {
    byte[] pickle = FuzzInputs.payload(input);
    int pad = FuzzInputs.control(input) & 7;
    byte[] buf = new byte[pad + pickle.length + pad];
    System.arraycopy(pickle, 0, buf, pad, pickle.length);
    SafeUnpickler.Errors errors =
        (offset, problem) -> BadInputException.inEntry(ARCHIVE, ENTRY, offset, problem);
    try {
      Object root = new SafeUnpickler(buf, pad, pickle.length, errors).load();
      PixelBatch batch = CifarPythonConverter.toBatch(ARCHIVE, ENTRY, root);
      assertThat(batch).isNotNull();
    } catch (BadInputException e) {
      assertThat(e.getMessage()).startsWith(ARCHIVE + "!" + ENTRY).doesNotContain("\n");
      if (e.offset().isPresent()) {
        assertThat(e.offset().getAsLong()).isBetween(0L, (long) pickle.length);
      }
    }
  }
}
