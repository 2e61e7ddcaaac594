package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JPEG/PNG decoding and the seeded augmentation ops. */
class ImagesAndAugmentTest {
  private static Tensor ramp(int h, int w, int c) {
    byte[] px = new byte[h * w * c];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 5 + 3);
    }
    return Tensor.ofBytes(DType.UINT8, Shape.of(h, w, c), px);
  }

  @Test
  void pngRoundTripsGrayAndRgbExactly() throws IOException {
    for (int c : new int[] {1, 3}) {
      Tensor img = ramp(5, 7, c);
      Tensor back = Images.decode(Images.encodePng(img), 0);
      assertThat(back.shape()).isEqualTo(Shape.of(5, 7, c));
      assertThat(back.toByteArray()).isEqualTo(img.toByteArray());
    }
    Tensor rgb = Images.decode(Images.encodePng(ramp(5, 7, 1)), 3);
    assertThat(rgb.shape()).isEqualTo(Shape.of(5, 7, 3));
    assertThat(rgb.getByte(0)).isEqualTo(rgb.getByte(1)).isEqualTo(rgb.getByte(2));
  }

  @Test
  void rgbToGrayUsesTensorFlowsWeights() throws IOException {
    Tensor img = Tensor.ofBytes(DType.UINT8, Shape.of(1, 1, 3), (byte) 200, (byte) 100, (byte) 50);
    Tensor gray = Images.decode(Images.encodePng(img), 1);
    assertThat(gray.getByte(0) & 0xff)
        .isEqualTo(Math.round(0.299f * 200 + 0.587f * 100 + 0.114f * 50));
  }

  @Test
  void jpegDecodesCloseToTheOriginal() throws IOException {
    BufferedImage bi = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        bi.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | 128);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(bi, "jpg", out);
    Tensor t = Images.decode(out.toByteArray(), 3);
    assertThat(t.shape()).isEqualTo(Shape.of(16, 16, 3));
    double err = 0;
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        int i = (y * 16 + x) * 3;
        err +=
            Math.abs((t.getByte(i) & 0xff) - x * 16) + Math.abs((t.getByte(i + 1) & 0xff) - y * 16);
      }
    }
    assertThat(err / 512).isLessThan(8);
  }

  @Test
  void garbageIsNotAnImage() {
    assertThatThrownBy(() -> Images.decode(new byte[] {1, 2, 3, 4, 5}, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("01020304");
  }

  @Test
  void aTruncatedImageFailsWithAOneLineMessageNotANullOne() throws IOException {
    // Found by fuzzing: ImageIO's readers end some truncated files with an EOFException that has
    // no message (WBMP then; BMP here, cut in half).
    BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(javax.imageio.ImageIO.write(img, "bmp", out)).isTrue();
    byte[] half = java.util.Arrays.copyOf(out.toByteArray(), out.size() / 2);
    assertThatThrownBy(() -> Images.decode(half, 0))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageMatching(
            "not a decodable image \\(\\d+ bytes, starting 424d....\\): the data ends early")
        .hasCauseInstanceOf(java.io.EOFException.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tiff", "wbmp"})
  void formatsThatTensorFlowDoesNotDecodeAreRefused(String format) throws IOException {
    // Found by fuzzing: ImageIO's TIFF reader sized a buffer by the file's strip fields, past the
    // heap, for 7x5 pixels.
    BufferedImage img =
        new BufferedImage(
            7,
            5,
            format.equals("wbmp") ? BufferedImage.TYPE_BYTE_BINARY : BufferedImage.TYPE_3BYTE_BGR);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(javax.imageio.ImageIO.write(img, format, out)).isTrue();
    assertThatThrownBy(() -> Images.decode(out.toByteArray(), 0))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageEndingWith("bytes): only JPEG, PNG, GIF and BMP are decoded");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"gif", "bmp"})
  void gifAndBmpAreDecodedAsTensorFlowDecodesThem(String format) throws IOException {
    BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(3, 2, 0x00ff0000);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(javax.imageio.ImageIO.write(img, format, out)).isTrue();
    Tensor t = Images.decode(out.toByteArray(), 3);
    assertThat(t.shape()).isEqualTo(Shape.of(5, 7, 3));
    assertThat(t.getByte((2 * 7 + 3) * 3) & 0xff).isEqualTo(255);
    assertThat(t.getByte((2 * 7 + 3) * 3 + 1) & 0xff).isEqualTo(0);
  }

  private static Features apply(ImageAugmentation aug, Tensor img, long seed) {
    return aug.apply(Features.of("image", img), new ElementRandom(seed));
  }

  @Test
  void withoutRandomStepsItConvertsToFloatInEitherLayout() {
    Tensor img = ramp(3, 4, 2);
    Tensor nhwc = apply(Augment.toFloat(DataFormat.NHWC), img, 1).get("image");
    Tensor nchw = apply(Augment.toFloat(DataFormat.NCHW), img, 1).get("image");
    assertThat(nhwc.shape()).isEqualTo(Shape.of(3, 4, 2));
    assertThat(nchw.shape()).isEqualTo(Shape.of(2, 3, 4));
    for (int i = 0; i < 24; i++) {
      assertThat(nhwc.getFloat(i))
          .isEqualTo((img.getByte(i) & 0xff) / 255f, org.assertj.core.data.Offset.offset(1e-6f));
    }
    assertThat(nchw.toFloatArray()).isEqualTo(nhwc.transpose(2, 0, 1).toFloatArray());
  }

  @Test
  void flippingMirrorsRowsAndCroppingShiftsInZeroPadding() {
    Tensor img = ramp(4, 4, 1);
    Set<String> seen = new HashSet<>();
    ImageAugmentation aug = Augment.cropFlipNormalize(1, DataFormat.NHWC).scale(1f);
    for (long seed = 0; seed < 200; seed++) {
      float[] out = apply(aug, img, seed).get("image").toFloatArray();
      ElementRandom r = new ElementRandom(seed);
      int dy = r.nextInt(3) - 1;
      int dx = r.nextInt(3) - 1;
      boolean flip = r.nextBoolean();
      seen.add(dy + "," + dx + "," + flip);
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          int sy = y + dy;
          int sx = (flip ? 3 - x : x) + dx;
          float want = sy < 0 || sy > 3 || sx < 0 || sx > 3 ? 0 : img.getByte(sy * 4 + sx) & 0xff;
          assertThat(out[y * 4 + x]).isEqualTo(want);
        }
      }
    }
    assertThat(seen).hasSize(18);
  }

  @Test
  void normalisationIsPerChannel() {
    Tensor img = Tensor.ofBytes(DType.UINT8, Shape.of(1, 1, 2), (byte) 255, (byte) 0);
    Tensor out =
        apply(
                Augment.image().normalize(new float[] {0.5f, 0.25f}, new float[] {0.5f, 0.25f}),
                img,
                0)
            .get("image");
    assertThat(out.toFloatArray()).containsExactly(1f, -1f);
    assertThatThrownBy(() -> Augment.image().normalize(new float[] {0, 0}, new float[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSameSeedAugmentsTheSameWay() {
    Tensor img = ramp(8, 8, 3);
    ImageAugmentation aug =
        Augment.cropFlipNormalize(2, new float[] {0.5f}, new float[] {0.2f}, DataFormat.NCHW);
    assertThat(apply(aug, img, 99)).isEqualTo(apply(aug, img, 99));
    Set<Features> distinct = new HashSet<>();
    for (long s = 0; s < 20; s++) {
      distinct.add(apply(aug, img, s));
    }
    assertThat(distinct.size()).isGreaterThan(5);
  }

  @Test
  void floatImagesAreAugmentedWithoutRescaling() {
    Tensor img = Tensor.ofFloats(Shape.of(1, 2, 1), 0.25f, 0.75f);
    Tensor out = apply(Augment.image().randomFlip(false), img, 0).get("image");
    assertThat(out.toFloatArray()).containsExactly(0.25f, 0.75f);
  }
}
