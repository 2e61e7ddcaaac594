package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints whose counts lie: refused with the documented error before any array is made. */
class IteratorCheckpointBoundsTest {
  /** Where the stage count starts: magic, version, fingerprint, seed, position. */
  private static final int STAGES_AT = 4 + 1 + 8 + 8 + 8;

  /** Where the run count of the first stage (named "r") starts. */
  private static final int RUNS_AT = STAGES_AT + 4 + 2 + 1;

  @TempDir Path dir;

  @Test
  void negativeStageCountIsRefusedWithItsOffset() {
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(header(-1).toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "iterator checkpoint@"
                + STAGES_AT
                + ": -1 repeat stages cannot fit in the 0 bytes"
                + " that follow");
  }

  @Test
  void negativeRunCountIsRefusedInsteadOfANegativeArraySize() throws IOException {
    Bytes b = stage(-1);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "iterator checkpoint@"
                + RUNS_AT
                + ": -1 runs of stage 'r' cannot fit in the 0 bytes"
                + " that follow");
  }

  @Test
  void aStageNameWithALineBreakStaysOnTheMessagesOneLine() throws IOException {
    // Found by fuzzing: the name was quoted as it was, and its newline split the message.
    Bytes b = header(1);
    b.out.writeUTF("a\nb\u0000");
    b.out.writeInt(-1);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(
            ": -1 runs of stage 'a\\nb\\u0000' cannot fit in the 0 bytes that follow");
  }

  @Test
  void runCountLargerThanTheBytesLeftIsRefused() throws IOException {
    Bytes b = stage(Integer.MAX_VALUE);
    b.out.writeLong(7);
    b.out.writeInt(1);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "iterator checkpoint@"
                + RUNS_AT
                + ": 2147483647 runs of stage 'r' cannot fit in the 12 bytes that follow");
  }

  @Test
  void negativeRepeatOfARunIsRefused() throws IOException {
    Bytes b = stage(1);
    b.out.writeLong(7);
    b.out.writeInt(-3);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "iterator checkpoint@" + (RUNS_AT + 4 + 8) + ": run 0 of stage 'r' repeats -3 times");
  }

  @Test
  void runsThatExpandPastTheDefaultLimitAreRefusedBeforeExpanding() throws IOException {
    Bytes b = stage(2);
    b.out.writeLong(7);
    b.out.writeInt(Integer.MAX_VALUE);
    b.out.writeLong(8);
    b.out.writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "iterator checkpoint@"
                + (RUNS_AT + 4 + 8)
                + ": stage 'r' claims more than "
                + IteratorCheckpoint.DEFAULT_MAX_EPOCHS
                + " epochs, the limit (system property "
                + IteratorCheckpoint.MAX_EPOCHS_PROPERTY
                + ")");
  }

  @Test
  void epochLimitIsInclusive() throws IOException {
    Bytes b = stage(1);
    b.out.writeLong(7);
    b.out.writeInt(5);
    assertThat(IteratorCheckpoint.fromBytes(b.toByteArray(), 5).epochLengths().get("r"))
        .containsExactly(7, 7, 7, 7, 7);
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(b.toByteArray(), 4))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(
            ": stage 'r' claims more than 4 epochs, the limit (system property "
                + IteratorCheckpoint.MAX_EPOCHS_PROPERTY
                + ")");
  }

  @Test
  void readingAFileNamesItAndTheOffset() throws IOException {
    Path file = dir.resolve("it.ckpt");
    Files.write(file, stage(-1).toByteArray());
    assertThatThrownBy(() -> IteratorCheckpoint.read(file))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith(file + "@" + RUNS_AT + ": -1 runs of stage 'r'");
  }

  @Test
  void truncatedCheckpointIsRefusedWithItsLength() throws IOException {
    byte[] good =
        new IteratorCheckpoint(1, 2, 3, java.util.Map.of("r", new long[] {4, 4, 5})).toBytes();
    byte[] cut = java.util.Arrays.copyOf(good, 20); // inside the seed
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(cut))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("iterator checkpoint@" + cut.length + ": truncated (" + cut.length + " bytes)");
  }

  /** A checkpoint's bytes as they are written. */
  private record Bytes(ByteArrayOutputStream bytes, DataOutputStream out) {
    byte[] toByteArray() throws IOException {
      out.flush();
      return bytes.toByteArray();
    }
  }

  /** The fixed fields, then {@code stages} as the stage count. */
  private static Bytes header(int stages) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(0x4D52_4350);
      out.writeByte(1);
      out.writeLong(0xf00d); // fingerprint
      out.writeLong(42); // seed
      out.writeLong(0); // position
      out.writeInt(stages);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Bytes(bytes, out);
  }

  /** One stage named "r" claiming {@code runs} runs; the caller writes them (or not). */
  private static Bytes stage(int runs) throws IOException {
    Bytes b = header(1);
    b.out.writeUTF("r");
    b.out.writeInt(runs);
    return b;
  }
}
