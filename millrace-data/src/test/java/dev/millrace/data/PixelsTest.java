package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.data.internal.Pixels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The branch-free pixel conversion against the obvious loop. */
class PixelsTest {
  @Test
  void unsignedByteToFloatIsExactForEveryValueOffsetAndLength() {
    byte[] all = new byte[256 + 37];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    Random random = new Random(5);
    for (float scale : new float[] {1f, 1f / 255, 0.5f, -3.25f}) {
      for (int trial = 0; trial < 50; trial++) {
        int off = random.nextInt(37);
        int n = random.nextInt(257);
        int dstOff = random.nextInt(9);
        float[] got = new float[n + dstOff];
        Pixels.u8ToFloat(all, off, got, dstOff, n, scale);
        for (int k = 0; k < n; k++) {
          assertThat(got[dstOff + k]).isEqualTo((all[off + k] & 0xff) * scale);
        }
      }
    }
  }
}
