package dev.millrace.bench.tensorflow;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * A random StridedSlice case drawn from a seed: an input of rank 1 to 4 (dimensions 0 to 5), 0 to
 * rank + 2 entries of begin, end and strides (bounds in [-7, 7], so often out of range; strides
 * from -3 to 3, rarely 0), each mask's bits drawn per entry (an ellipsis in about a third of the
 * cases, rarely two; bits beyond the entries now and then), int32 or int64 bounds, the bounds
 * constant or fed, the input's shape known or not.
 */
record RandomSlice(
    long[] dims,
    long[] begin,
    long[] end,
    long[] strides,
    int[] masks,
    boolean int64,
    boolean constantBounds,
    boolean knownShape) {
  static final String[] MASKS = {
    "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"
  };

  static RandomSlice of(long seed) {
    Random r = new Random(seed);
    int rank = 1 + r.nextInt(4);
    long[] dims = new long[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(5);
    }
    int n = r.nextInt(rank + 3);
    long[] begin = new long[n];
    long[] end = new long[n];
    long[] strides = new long[n];
    long[] strideChoices = {-3, -2, -1, 1, 1, 1, 2, 3};
    for (int i = 0; i < n; i++) {
      begin[i] = r.nextInt(15) - 7;
      end[i] = r.nextInt(15) - 7;
      strides[i] = r.nextInt(60) == 0 ? 0 : strideChoices[r.nextInt(strideChoices.length)];
    }
    double[] perBit = {0.3, 0.3, 0, 0.15, 0.2};
    int[] masks = new int[5];
    for (int m = 0; m < masks.length; m++) {
      for (int i = 0; i < n; i++) {
        if (r.nextDouble() < perBit[m]) {
          masks[m] |= 1 << i;
        }
      }
      if (r.nextDouble() < (m == 2 ? 0.03 : 0.12)) {
        masks[m] |= 1 << (n + r.nextInt(3)); // beyond the entries
      }
    }
    if (n > 0 && r.nextDouble() < 0.35) {
      masks[2] |= 1 << r.nextInt(n);
      if (r.nextDouble() < 0.05) {
        masks[2] |= 1 << r.nextInt(n);
      }
    }
    return new RandomSlice(
        dims, begin, end, strides, masks, r.nextBoolean(), r.nextInt(3) != 0, r.nextInt(4) != 0);
  }

  /** Distinct values: element i holds {@code i + 0.25}. */
  Tensor input() {
    Shape s = Shape.of(dims);
    float[] v = new float[(int) s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 0.25f;
    }
    return Tensor.ofFloats(s, v);
  }

  /** Bounds vector {@code values} as the case's index type. */
  Tensor bound(long[] values) {
    if (int64) {
      return Tensor.ofLongs(Shape.of(values.length), values);
    }
    int[] v = new int[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (int) values[i];
    }
    return Tensor.ofInts(Shape.of(v.length), v);
  }

  @Override
  public String toString() {
    return "input "
        + Arrays.toString(dims)
        + (knownShape ? "" : " (shape unknown)")
        + ", begin "
        + Arrays.toString(begin)
        + ", end "
        + Arrays.toString(end)
        + ", strides "
        + Arrays.toString(strides)
        + ", masks (begin, end, ellipsis, new axis, shrink) "
        + Arrays.toString(masks)
        + (int64 ? ", int64" : ", int32")
        + (constantBounds ? ", constant bounds" : ", fed bounds");
  }
}
