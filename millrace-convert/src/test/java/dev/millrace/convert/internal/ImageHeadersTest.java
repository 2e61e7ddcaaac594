package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.convert.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ImageHeadersTest {
  private static ImageHeader header(byte[] file) throws ImageHeaders.NotAnImage {
    return ImageHeaders.read(file);
  }

  @Test
  void pngColourTypesGiveTheirChannelCounts() throws Exception {
    assertThat(header(TestData.png(3, 2, BufferedImage.TYPE_BYTE_GRAY, 1)))
        .isEqualTo(new ImageHeader("PNG", 2, 3, 1, "Gray"));
    assertThat(header(TestData.png(3, 2, BufferedImage.TYPE_3BYTE_BGR, 1)))
        .isEqualTo(new ImageHeader("PNG", 2, 3, 3, "RGB"));
    assertThat(header(TestData.png(3, 2, BufferedImage.TYPE_4BYTE_ABGR, 1)))
        .isEqualTo(new ImageHeader("PNG", 2, 3, 4, "RGB"));
    assertThat(header(TestData.png(3, 2, BufferedImage.TYPE_BYTE_INDEXED, 1)))
        .isEqualTo(new ImageHeader("PNG", 2, 3, 3, "RGB"));
  }

  @Test
  void baselineProgressiveAndGrayJpegsGiveSizeAndComponents() throws Exception {
    assertThat(header(TestData.jpeg(17, 11, BufferedImage.TYPE_INT_RGB, 1, false)))
        .isEqualTo(new ImageHeader("JPEG", 11, 17, 3, "RGB"));
    byte[] progressive = TestData.jpeg(17, 11, BufferedImage.TYPE_INT_RGB, 1, true);
    assertThat(HexFormat.of().formatHex(progressive)).contains("ffc2"); // SOF2, not SOF0
    assertThat(header(progressive)).isEqualTo(new ImageHeader("JPEG", 11, 17, 3, "RGB"));
    assertThat(header(TestData.jpeg(5, 300, BufferedImage.TYPE_BYTE_GRAY, 1, false)))
        .isEqualTo(new ImageHeader("JPEG", 300, 5, 1, "Gray"));
  }

  @Test
  void textIsNotAnImage() {
    assertThatThrownBy(() -> header("hello".getBytes()))
        .isInstanceOf(ImageHeaders.NotAnImage.class)
        .hasMessageContaining("not a PNG or JPEG");
  }

  @Test
  void everyTruncationOfAPngIsRefused() throws IOException {
    byte[] png = TestData.png(4, 4, BufferedImage.TYPE_INT_RGB, 1);
    for (int n = 0; n < png.length; n++) {
      byte[] cut = Arrays.copyOf(png, n);
      assertThatThrownBy(() -> header(cut)).isInstanceOf(ImageHeaders.NotAnImage.class);
    }
  }

  @Test
  void aJpegCutBeforeItsFrameHeaderIsRefused() throws IOException {
    byte[] jpeg = TestData.jpeg(4, 4, BufferedImage.TYPE_INT_RGB, 1, false);
    int sof = 2;
    while (!((jpeg[sof] & 0xff) == 0xff && (jpeg[sof + 1] & 0xff) == 0xc0)) {
      sof++;
    }
    for (int n = 0; n < sof + 12; n++) {
      byte[] cut = Arrays.copyOf(jpeg, n);
      assertThatThrownBy(() -> header(cut)).isInstanceOf(ImageHeaders.NotAnImage.class);
    }
  }

  @Test
  void aPngWithACorruptHeaderChecksumIsRefused() throws IOException {
    byte[] png = TestData.png(4, 4, BufferedImage.TYPE_INT_RGB, 1);
    png[18] ^= 1; // a byte of the width

    assertThatThrownBy(() -> header(png))
        .isInstanceOf(ImageHeaders.NotAnImage.class)
        .hasMessageContaining("IHDR chunk CRC mismatch");
  }
}
