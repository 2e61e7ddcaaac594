package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.data.internal.CropFlipNormalize;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-run augmentation loop against its reference twin, the per-pixel loop it replaced, on
 * awkward sizes, every shift from beyond one border to beyond the other, both flips, both layouts
 * and both input types: the results must be identical, bit for bit.
 */
class CropFlipNormalizeTest {
  /** The per-pixel loop, as {@code ImageAugmentation} did it before the row runs. */
  private static void reference(
      byte[] u8,
      float[] f32,
      int h,
      int w,
      int c,
      int dy,
      int dx,
      boolean mirror,
      float[] a,
      float[] b,
      boolean nchw,
      float[] dst) {
    for (int y = 0; y < h; y++) {
      int sy = y + dy;
      boolean rowInside = sy >= 0 && sy < h;
      for (int x = 0; x < w; x++) {
        int sx = (mirror ? w - 1 - x : x) + dx;
        boolean inside = rowInside && sx >= 0 && sx < w;
        int src = (sy * w + sx) * c;
        for (int k = 0; k < c; k++) {
          float v;
          if (!inside) {
            v = b[k];
          } else if (u8 != null) {
            v = (u8[src + k] & 0xff) * a[k] + b[k];
          } else {
            v = f32[src + k] * a[k] + b[k];
          }
          dst[nchw ? (k * h + y) * w + x : (y * w + x) * c + k] = v;
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}x{1}x{2}, seed {3}")
  @CsvSource({
    "1, 1, 1, 1",
    "7, 5, 1, 2",
    "13, 11, 3, 3",
    "32, 32, 3, 4",
    "28, 28, 1, 5",
    "9, 37, 2, 6"
  })
  void rowRunsGiveThePerPixelLoopsValuesForEveryShiftFlipAndLayout(int h, int w, int c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] u8 = new byte[h * w * c];
    random.nextBytes(u8);
    float[] f32 = new float[h * w * c];
    for (int i = 0; i < f32.length; i++) {
      f32[i] = (float) random.nextDouble(-2, 2);
    }
    // Per-channel coefficients, and the same for every channel (a loop of its own).
    float[] a = new float[c];
    float[] b = new float[c];
    for (int k = 0; k < c; k++) {
      a[k] = (float) random.nextDouble(0.001, 0.1);
      b[k] = (float) random.nextDouble(-1, 1);
    }
    float[] sameA = new float[c];
    float[] sameB = new float[c];
    Arrays.fill(sameA, a[0]);
    Arrays.fill(sameB, b[0]);
    assertSameAsReference(h, w, c, u8, f32, a, b);
    assertSameAsReference(h, w, c, u8, f32, sameA, sameB);
  }

  private static void assertSameAsReference(
      int h, int w, int c, byte[] u8, float[] f32, float[] a, float[] b) {
    int reach = Math.max(h, w) + 2;
    for (int dy = -reach; dy <= reach; dy += Math.max(1, reach / 4)) {
      for (int dx = -reach; dx <= reach; dx++) {
        for (boolean mirror : new boolean[] {false, true}) {
          for (boolean nchw : new boolean[] {false, true}) {
            for (boolean bytes : new boolean[] {true, false}) {
              byte[] src8 = bytes ? u8 : null;
              float[] src32 = bytes ? null : f32;
              float[] want = new float[h * w * c];
              float[] got = new float[h * w * c];
              reference(src8, src32, h, w, c, dy, dx, mirror, a, b, nchw, want);
              new CropFlipNormalize(h, w, c, a, b).apply(src8, src32, dy, dx, mirror, nchw, got);
              if (!Arrays.equals(got, want)) { // bit for bit; AssertJ names the first difference
                assertThat(got)
                    .as(
                        "a %s, dy %d, dx %d, mirror %s, nchw %s, uint8 %s",
                        Arrays.toString(a), dy, dx, mirror, nchw, bytes)
                    .containsExactly(want);
              }
            }
          }
        }
      }
    }
  }
}
