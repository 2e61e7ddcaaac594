package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.FuzzInputs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link Checkpoint#read}: every file gives its variables or an {@link
 * IOException} naming it — never another exception, an out-of-memory (tensors are checked against a
 * 1 MiB limit and the bytes that follow before they are allocated) or a hang.
 *
 * <p>The control byte (see {@link FuzzInputs}): bit 0 appends the CRC-32C of the payload, so that
 * the fuzzer gets past the checksum to the sizes, shapes and names, which the CRC does not vouch
 * for.
 */
class CheckpointFuzzTest {
  private static final long MAX_TENSOR_BYTES = 1 << 20;

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readsOrRejects(byte[] input) {
    byte[] payload = FuzzInputs.payload(input);
    byte[] file = payload;
    if ((FuzzInputs.control(input) & 1) != 0) {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      file = Arrays.copyOf(payload, payload.length + 4);
      ByteBuffer.wrap(file)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putInt(payload.length, (int) crc.getValue());
    }
    Path path = FuzzInputs.file("variables.mrckpt", file);
    Map<String, Tensor> variables;
    try {
      variables = Checkpoint.read(path, MAX_TENSOR_BYTES);
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith(path.toString()).doesNotContain("\n");
      return;
    }
    long total = 0;
    for (Tensor t : variables.values()) {
      long bytes = t.size() * t.dtype().byteSize();
      assertThat(bytes).isLessThanOrEqualTo(MAX_TENSOR_BYTES);
      total += bytes;
    }
    assertThat(total).isLessThan(file.length);
  }
}
