package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files whose headers claim huge images: refused from the header, before decoding. */
class ImageSizeLimitTest {
  private static final String LIMIT =
      ", more than the limit of "
          + Images.DEFAULT_MAX_DECODED_BYTES
          + " (system property "
          + Images.MAX_DECODED_BYTES_PROPERTY
          + ")";

  @TempDir Path dir;

  @Test
  void pngHeaderClaimingHugeSizeIsRefused() throws IOException {
    byte[] png = pngClaiming(60_000, 60_000);
    assertThat(png.length).isLessThan(1024);
    assertThatThrownBy(() -> Images.decode(png, 0))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("PNG image 60000x60000x1 is 3600000000 bytes decoded" + LIMIT);
  }

  @Test
  void theLimitCountsTheChannelsDecodedNotTheFilesOwnBands() throws IOException {
    // Found by fuzzing: a 1-bit BMP has one band but decodes to RGB, 3 bytes a pixel.
    BufferedImage img = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_BINARY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, "bmp", out)).isTrue();
    byte[] bmp = out.toByteArray();
    assertThatThrownBy(() -> Images.decode(bmp, 0, bmp.length, 0, 20_000))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith("BMP image 100x100x3 is 30000 bytes decoded");
    assertThat(Images.decode(bmp, 0, bmp.length, 0, 30_000).shape())
        .isEqualTo(Shape.of(100, 100, 3));
  }

  @Test
  void jpegHeaderClaimingHugeSizeIsRefused() throws IOException {
    byte[] jpeg = jpegClaiming(60_000, 60_000);
    assertThatThrownBy(() -> Images.decode(jpeg, 3))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("JPEG image 60000x60000x3 is 10800000000 bytes decoded" + LIMIT);
  }

  @Test
  void decodingAFileNamesItInOneLine() throws IOException {
    Path file = dir.resolve("huge.png");
    Files.write(file, pngClaiming(60_000, 60_000));
    assertThatThrownBy(() -> Images.decode(file, 0))
        .isInstanceOf(IOException.class)
        .hasMessage(file + ": PNG image 60000x60000x1 is 3600000000 bytes decoded" + LIMIT);
  }

  @Test
  void limitCountsTheRequestedChannelsAndIsInclusive() throws IOException {
    byte[] gray = Images.encodePng(Tensor.zeros(DType.UINT8, Shape.of(5, 7, 1)));
    assertThatThrownBy(() -> Images.decode(gray, 0, gray.length, 3, 104))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("PNG image 7x5x3 is 105 bytes decoded, more than the limit of 104");
    assertThat(Images.decode(gray, 0, gray.length, 3, 105).shape()).isEqualTo(Shape.of(5, 7, 3));
  }

  /** A 2x2 gray PNG whose IHDR says {@code width x height}, its CRC corrected. */
  private static byte[] pngClaiming(int width, int height) {
    byte[] png = Images.encodePng(Tensor.zeros(DType.UINT8, Shape.of(2, 2, 1)));
    putInt(png, 16, width);
    putInt(png, 20, height);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 4 + 13);
    putInt(png, 29, (int) crc.getValue());
    return png;
  }

  /** A 16x16 RGB JPEG whose frame header (SOF0) says {@code width x height}. */
  private static byte[] jpegClaiming(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR), "jpg", out);
    byte[] jpeg = out.toByteArray();
    for (int p = 2; p + 1 < jpeg.length; p++) {
      if ((jpeg[p] & 0xff) == 0xff && (jpeg[p + 1] & 0xff) == 0xc0) {
        // FF C0, length (2), precision (1), height (2), width (2)
        putShort(jpeg, p + 5, height);
        putShort(jpeg, p + 7, width);
        return jpeg;
      }
    }
    throw new AssertionError("the JPEG writer wrote no SOF0 marker");
  }

  private static void putInt(byte[] b, int at, int v) {
    putShort(b, at, v >>> 16);
    putShort(b, at + 2, v);
  }

  private static void putShort(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }
}
