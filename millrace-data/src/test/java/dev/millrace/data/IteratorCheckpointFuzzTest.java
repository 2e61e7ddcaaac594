package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.testkit.FuzzInputs;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link IteratorCheckpoint#fromBytes}: every input is a checkpoint that
 * writes back to an equal one, or the {@link IllegalArgumentException} the method documents — never
 * another exception, an out-of-memory (epoch counts are checked against a limit of 4096 per stage
 * and the bytes that follow) or a hang.
 *
 * <p>The control byte (see {@link FuzzInputs}) is not used.
 */
class IteratorCheckpointFuzzTest {
  private static final long MAX_EPOCHS = 4096;

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readsOrRejects(byte[] input) {
    byte[] bytes = FuzzInputs.payload(input);
    IteratorCheckpoint cp;
    try {
      cp = IteratorCheckpoint.fromBytes(bytes, MAX_EPOCHS);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("iterator checkpoint").doesNotContain("\n");
      return;
    }
    IteratorCheckpoint again = IteratorCheckpoint.fromBytes(cp.toBytes(), MAX_EPOCHS);
    assertThat(again.position()).isEqualTo(cp.position());
    assertThat(again.seed()).isEqualTo(cp.seed());
    assertThat(again.fingerprint()).isEqualTo(cp.fingerprint());
    Map<String, long[]> lengths = cp.epochLengths();
    assertThat(again.epochLengths()).containsOnlyKeys(lengths.keySet());
    lengths.forEach((stage, v) -> assertThat(again.epochLengths().get(stage)).isEqualTo(v));
  }
}
