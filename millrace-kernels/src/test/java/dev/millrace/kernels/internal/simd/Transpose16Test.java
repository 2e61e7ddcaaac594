package dev.millrace.kernels.internal.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 16 × 16 register transpose of the tap tiles' planar band, with source and destination rows
 * strided and offset as the band's are. It serves 512-bit vectors only; the build's 512-bit test
 * run forces that width on any host.
 */
class Transpose16Test {
  @Test
  void blockIsTransposedWithStridesAndOffsets() {
    assumeTrue(Transpose16.FITS, "16-lane vectors only");
    Random rnd = new Random(1);
    int sStride = 48;
    int dStride = 37;
    float[] src = new float[7 + 16 * sStride];
    for (int i = 0; i < src.length; i++) {
      src[i] = rnd.nextFloat();
    }
    float[] dst = new float[5 + 16 * dStride];
    Transpose16.block(src, 7, sStride, dst, 5, dStride);
    for (int r = 0; r < 16; r++) {
      for (int l = 0; l < 16; l++) {
        assertThat(dst[5 + l * dStride + r])
            .as("row %d lane %d", r, l)
            .isEqualTo(src[7 + r * sStride + l]);
      }
    }
  }
}
