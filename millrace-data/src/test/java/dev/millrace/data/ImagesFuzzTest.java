package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.FuzzInputs;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link Images#decode}: every input decodes to a {@code uint8 [h, w,
 * c]} tensor or fails with an {@link IOException} — never another exception (whatever ImageIO's
 * decoders throw), an out-of-memory (headers are checked against a 1 MiB limit before pixels are
 * allocated) or a hang.
 *
 * <p>The control byte (see {@link FuzzInputs}): its low two bits choose the channels asked for (0,
 * 1, 3, then 0 again).
 */
class ImagesFuzzTest {
  private static final long MAX_DECODED_BYTES = 1 << 20;
  private static final int[] CHANNELS = {0, 1, 3, 0};

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void decodesOrRejects(byte[] input) {
    int channels = CHANNELS[FuzzInputs.control(input) & 3];
    byte[] encoded = FuzzInputs.payload(input);
    Tensor image;
    try {
      image = Images.decode(encoded, 0, encoded.length, channels, MAX_DECODED_BYTES);
    } catch (IOException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
      return;
    }
    assertThat(image.dtype()).isEqualTo(DType.UINT8);
    assertThat(image.shape().rank()).isEqualTo(3);
    long c = image.shape().dim(2);
    if (channels == 0) {
      assertThat(c).isIn(1L, 3L);
    } else {
      assertThat(c).isEqualTo(channels);
    }
    assertThat(image.shape().dim(0) * image.shape().dim(1) * c)
        .isLessThanOrEqualTo(MAX_DECODED_BYTES);
  }
}
