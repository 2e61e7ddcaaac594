package dev.millrace.data;

import static dev.millrace.data.TestSupport.bytes;
import static dev.millrace.data.TestSupport.example;
import static dev.millrace.data.TestSupport.int64s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageRecordLayoutTest {
  private static final Path FILE = Path.of("data/train-00000-of-00001.tfrecord");

  @Test
  void rawImageTakesItsShapeFromHeightWidthDepth() throws IOException {
    byte[] r =
        example(
            "image", bytes(new byte[24]),
            "label", int64s(3),
            "height", int64s(2),
            "width", int64s(4),
            "depth", int64s(3));
    assertThat(ImageRecordLayout.of(FILE, r))
        .isEqualTo(new ImageRecordLayout("image", false, 2, 4, 3, 24, "label"));
  }

  @Test
  void rawImageWithoutShapeFeaturesIsASquareOfOneOrThreeChannels() throws IOException {
    ImageRecordLayout gray = ImageRecordLayout.of(FILE, example("image", bytes(new byte[784])));
    assertThat(gray).isEqualTo(new ImageRecordLayout("image", false, 28, 28, 1, 784, null));
    ImageRecordLayout rgb =
        ImageRecordLayout.of(
            FILE, example("image", bytes(new byte[3072]), "image/class/label", int64s(1)));
    assertThat(rgb)
        .isEqualTo(new ImageRecordLayout("image", false, 32, 32, 3, 3072, "image/class/label"));
  }

  @Test
  void encodedImageTakesItsSizeFromTheHeaderFeaturesWhenPresent() throws IOException {
    byte[] sized =
        example(
            "image/encoded", bytes(new byte[10]),
            "image/height", int64s(5),
            "image/width", int64s(7),
            "image/channels", int64s(1),
            "label", int64s(0));
    ImageRecordLayout a = ImageRecordLayout.of(FILE, sized);
    assertThat(a).isEqualTo(new ImageRecordLayout("image/encoded", true, 5, 7, 1, 0, "label"));
    assertThat(a.hasSize()).isTrue();
    ImageRecordLayout b = ImageRecordLayout.of(FILE, example("image/encoded", bytes(new byte[3])));
    assertThat(b.hasSize()).isFalse();
    assertThat(b.channels()).isEqualTo(3);
  }

  @Test
  void errorsNameTheFileAndRecordZero() {
    assertThatThrownBy(
            () ->
                ImageRecordLayout.of(
                    FILE,
                    example("image", bytes(new byte[10]), "height", int64s(2), "width", int64s(2))))
        .isInstanceOf(IOException.class)
        .hasMessage(
            FILE
                + "@0 (record 0): height 2 × width 2 × depth 1 does not match the image's 10 bytes");
    assertThatThrownBy(() -> ImageRecordLayout.of(FILE, example("image", bytes(new byte[10]))))
        .hasMessageStartingWith(FILE + "@0 (record 0): cannot tell the shape of a 10-byte image");
    assertThatThrownBy(() -> ImageRecordLayout.of(FILE, example("label", int64s(1))))
        .hasMessage(
            FILE
                + "@0 (record 0): no raw 'image' or encoded 'image/encoded' bytes feature in the"
                + " first record");
    assertThatThrownBy(() -> ImageRecordLayout.of(FILE, new byte[] {0x0a, 0x7f}))
        .hasMessageStartingWith(FILE + "@0 (record 0): not a tf.train.Example: ");
  }
}
