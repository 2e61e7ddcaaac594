package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files whose sizes lie, each with a correct CRC (as a file written to deceive would have): the
 * reader must refuse them with an IOException naming the file and offset, before allocating.
 */
class CheckpointSizeCheckTest {
  private static final int FLOAT = 1;

  /** Where the data size of variable 0 (named "w", rank 2) starts. */
  private static final int SIZE_AT = 8 + 4 + 2 + 1 + 1 + 1 + 2 * 8;

  @TempDir Path dir;

  @Test
  void hugeTensorClaimedByATinyFileIsRefusedBeforeAllocating() throws IOException {
    Path file = write(1, variable(FLOAT, new long[] {60_000, 60_000}, 60_000L * 60_000 * 4, 0));
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + "@"
                + SIZE_AT
                + " (variable 0 'w'): FLOAT32 [60000, 60000] needs 14400000000 bytes, only 0"
                + " follow");
  }

  @Test
  void aVariableNameWithALineBreakStaysOnTheMessagesOneLine() throws IOException {
    // Found by fuzzing: the name was quoted as it was, and its newline split the message.
    byte[] body = variable(FLOAT, new long[] {-1, 2}, 0, 0);
    body[2] = '\n'; // the one-byte name "w" becomes a line break
    Path file = write(1, body);
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + "@17 (variable 0 '\\n'): dimension 0 is -1");
  }

  @Test
  void dimensionsWhoseProductOverflowAreRefused() throws IOException {
    Path file = write(1, variable(FLOAT, new long[] {1L << 40, 1L << 40}, 16, 16));
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + "@"
                + SIZE_AT
                + " (variable 0 'w'): data size 16 does not match FLOAT32 [1099511627776,"
                + " 1099511627776]");
  }

  @Test
  void dataSizeThatDisagreesWithTheShapeIsRefused() throws IOException {
    Path file = write(1, variable(FLOAT, new long[] {3, 2}, 8, 8));
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + "@"
                + SIZE_AT
                + " (variable 0 'w'): data size 8 does not match FLOAT32 [3, 2]"
                + " (24 bytes)");
  }

  @Test
  void negativeDimensionIsRefusedWithItsOffset() throws IOException {
    Path file = write(1, variable(FLOAT, new long[] {3, -5}, 0, 0));
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + "@" + (SIZE_AT - 8) + " (variable 0 'w'): dimension 1 is -5");
  }

  @Test
  void variableCountLargerThanTheFileIsRefused() throws IOException {
    Path file = write(-1, variable(FLOAT, new long[] {3, 2}, 24, 24));
    assertThatThrownBy(() -> Checkpoint.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + "@8: 4294967295 variables cannot fit in the 53 bytes that follow");
  }

  @Test
  void tensorLargerThanTheLimitIsRefusedAndOneAtTheLimitIsRead() throws IOException {
    Path file = write(1, variable(FLOAT, new long[] {3, 2}, 24, 24));
    assertThatThrownBy(() -> Checkpoint.read(file, 23))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + "@"
                + SIZE_AT
                + " (variable 0 'w'): FLOAT32 [3, 2] is 24 bytes, more than the limit of 23"
                + " (system property "
                + Checkpoint.MAX_TENSOR_BYTES_PROPERTY
                + ")");
    assertThat(Checkpoint.read(file, 24).get("w").shape().dims()).containsExactly(3, 2);
  }

  /** One variable named "w": its header, the claimed data size, then {@code dataBytes} zeros. */
  private static byte[] variable(int dtype, long[] dims, long claimedBytes, int dataBytes) {
    ByteBuffer b =
        ByteBuffer.allocate(2 + 1 + 2 + 8 * dims.length + 8 + dataBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 1).put((byte) 'w').put((byte) dtype).put((byte) dims.length);
    Arrays.stream(dims).forEach(b::putLong);
    b.putLong(claimedBytes);
    return b.array();
  }

  /** A checkpoint file of the magic, {@code count} and the body, with a correct CRC. */
  private Path write(int count, byte[] body) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + body.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'M', 'R', 'C', 'K', 'P', 'T', 0, 1}).putInt(count).put(body);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    Path file = dir.resolve("lying.ckpt");
    Files.write(file, b.array());
    return file;
  }
}
