package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.convert.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Headers whose dimensions lie: refused from the header, before the data is allocated. */
class IdxFileTest {
  private static final int IMAGES = IdxFile.IMAGES_MAGIC;

  @TempDir Path dir;

  @Test
  void dimensionsPastTheDefaultLimitAreRefusedAtTheirOffset() throws IOException {
    Path file = write("big-images-idx3-ubyte", idx(new long[] {60_000, 60_000, 1}, 10));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            file
                + "@8: dimensions 60000x60000x... need more than "
                + IdxFile.DEFAULT_MAX_BYTES
                + " bytes, the limit (system property "
                + IdxFile.MAX_BYTES_PROPERTY
                + ")");
  }

  @Test
  void dimensionsWhoseProductOverflowsALongAreRefused() throws IOException {
    long max = 0xffff_ffffL;
    Path file = write("huge-images-idx3-ubyte", idx(new long[] {max, max, max}, 0));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES, Long.MAX_VALUE))
        .isInstanceOf(BadInputException.class)
        .hasMessage(file + "@4: dimension 0 is 4294967295, more than an array holds");
  }

  @Test
  void hugeLaterDimensionAfterAZeroCountIsRefused() throws IOException {
    Path file = write("empty-images-idx3-ubyte", idx(new long[] {0, 0xffff_ffffL, 1}, 0));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES))
        .isInstanceOf(BadInputException.class)
        .hasMessage(file + "@8: dimension 1 is 4294967295, more than an array holds");
  }

  @Test
  void plainFileShorterThanItsHeaderClaimsIsRefusedFromItsSize() throws IOException {
    Path file = write("lying-images-idx3-ubyte", idx(new long[] {1_000_000, 28, 28}, 10));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            file + ": size 26 bytes, expected 784000016 (header 16 + 1000000x28x28 data bytes)");
  }

  @Test
  void gzipFileShorterThanItsHeaderClaimsIsRefusedAfterTheBytesItHolds() throws IOException {
    Path file = write("lying-images-idx3-ubyte.gz", gzip(idx(new long[] {1_000_000, 28, 28}, 10)));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            file + ": size 26 bytes, expected 784000016 (header 16 + 1000000x28x28 data bytes)");
  }

  @Test
  void limitIsInclusiveAndConfigurable() throws IOException {
    Path file = write("small-images-idx3-ubyte", idx(new long[] {5, 2, 2}, 20));
    assertThatThrownBy(() -> IdxFile.read(file, IMAGES, 35))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(file + "@12: dimensions 5x2x2 need more than 35 bytes, the limit");
    assertThat(IdxFile.read(file, IMAGES, 36).count()).isEqualTo(5);
  }

  @Test
  void gzipFileLargerThanTheFirstBufferReadsWhole() throws IOException {
    byte[] plain = fillData(idx(new long[] {3000, 28, 28}, 3000 * 28 * 28), 16);
    Path file = write("many-images-idx3-ubyte.gz", gzip(plain));
    IdxFile read = IdxFile.read(file, IMAGES);
    assertThat(read.dims()).containsExactly(3000, 28, 28);
    assertThat(read.bytes()).isEqualTo(plain);
  }

  /** The header of an images file with these dimensions, then {@code dataBytes} zeros. */
  private static byte[] idx(long[] dims, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
    b.putInt(IMAGES);
    for (long d : dims) {
      b.putInt((int) d);
    }
    return b.array();
  }

  /** A copy of {@code file} whose bytes from {@code from} on are random (seed 7). */
  private static byte[] fillData(byte[] file, int from) {
    byte[] data = new byte[file.length - from];
    new Random(7).nextBytes(data);
    byte[] out = Arrays.copyOf(file, file.length);
    System.arraycopy(data, 0, out, from, data.length);
    return out;
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }
}
