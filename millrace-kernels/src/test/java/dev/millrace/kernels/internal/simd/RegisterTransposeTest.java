package dev.millrace.kernels.internal.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The register transpose of the tap tiles' planar band, with source and destination rows strided
 * and offset as the band's are: 16 × 16 at 512 bits, 8 × 8 at 256 (the build's test runs force each
 * width on any host; at 128 bits there is none).
 */
class RegisterTransposeTest {
  @Test
  void blockIsTransposedWithStridesAndOffsets() {
    int n = RegisterTranspose.SIZE;
    assumeTrue(n > 0, "8- or 16-lane vectors only");
    Random rnd = new Random(1);
    int sStride = 48;
    int dStride = 37;
    float[] src = new float[7 + n * sStride];
    for (int i = 0; i < src.length; i++) {
      src[i] = rnd.nextFloat();
    }
    float[] dst = new float[5 + n * dStride];
    RegisterTranspose.block(src, 7, sStride, dst, 5, dStride);
    for (int r = 0; r < n; r++) {
      for (int l = 0; l < n; l++) {
        assertThat(dst[5 + l * dStride + r])
            .as("row %d lane %d", r, l)
            .isEqualTo(src[7 + r * sStride + l]);
      }
    }
  }
}
