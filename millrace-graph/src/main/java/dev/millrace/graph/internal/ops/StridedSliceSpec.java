package dev.millrace.graph.internal.ops;

import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.Shape;
import java.util.Arrays;

/**
 * How StridedSlice reads {@code begin}, {@code end}, {@code strides} and its five masks for one
 * input shape, by TensorFlow's rules (its {@code ValidateStridedSliceOp}):
 *
 * <ul>
 *   <li>The sparse spec (one entry per element of begin, end and strides) becomes a dense one (one
 *       entry per input dimension): the ellipsis (at most one bit of {@code ellipsis_mask}; one is
 *       implied after the last entry when none is given) stands for as many whole dimensions as the
 *       other entries leave, and a {@code new_axis_mask} entry adds a dimension of 1 without using
 *       an input dimension. Of two bits set for one entry, the ellipsis wins over a new axis, and a
 *       new axis over everything else.
 *   <li>Per dimension: bit i of {@code begin_mask} ({@code end_mask}) takes the whole range from
 *       the start (to the end) in the stride's direction; otherwise a negative index counts from
 *       the end and the result is clamped to {@code [0, dim]} for a positive stride and {@code [-1,
 *       dim - 1]} for a negative one, so out-of-range bounds give a shorter (or empty) slice, never
 *       an error. The size is {@code ceil((end - begin) / stride)}, 0 where that is negative.
 *   <li>A {@code shrink_axis_mask} entry takes the single element at {@code begin} (the begin mask
 *       does not apply), removes the dimension and, unlike a range, must be in bounds; its stride
 *       must be positive.
 * </ul>
 *
 * @param begin per input dimension, the first index read (valid when begin and end are known)
 * @param strides per input dimension
 * @param processing per input dimension, the number of elements read (-1 when unknown)
 * @param output the output's dimensions: processing's without shrunk ones, with new axes of 1
 */
record StridedSliceSpec(long[] begin, long[] strides, long[] processing, long[] output) {
  private static final long U = Shape.UNKNOWN;
  private static final int NEW_AXIS = -1;
  private static final int SHRINK = -2;

  /** The five mask attributes, as TensorFlow reads them (32-bit). */
  record Masks(int begin, int end, int ellipsis, int newAxis, int shrinkAxis) {
    static final String[] NAMES = {
      "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"
    };

    static Masks of(Operation op) {
      long[] v = new long[NAMES.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = op.attrInt(NAMES[i]);
      }
      return of(v);
    }

    static Masks of(ShapeContext c) {
      long[] v = new long[NAMES.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = c.attrInt(NAMES[i]);
      }
      return of(v);
    }

    private static Masks of(long[] v) {
      for (int i = 0; i < v.length; i++) {
        if (v[i] != (int) v[i]) {
          throw new IllegalArgumentException(
              NAMES[i] + " " + v[i] + " does not fit the 32 bits TensorFlow reads");
        }
      }
      return new Masks((int) v[0], (int) v[1], (int) v[2], (int) v[3], (int) v[4]);
    }
  }

  private static boolean bit(int mask, int i) {
    return (mask >>> i & 1) != 0;
  }

  /**
   * The spec for an input of dimensions {@code dims} (-1 where unknown).
   *
   * @param begin the begin values, or null when not known (shape inference)
   * @param end the end values, or null when not known
   * @param strides the strides, as many as begin and end have
   * @throws IllegalArgumentException in one line, for what TensorFlow rejects too
   */
  static StridedSliceSpec of(long[] dims, long[] begin, long[] end, long[] strides, Masks m) {
    int sparse = strides.length;
    if ((begin != null && begin.length != sparse)
        || (end != null && end.length != sparse)
        || sparse >= 32) {
      throw new IllegalArgumentException(
          "begin "
              + (begin == null ? "(unknown)" : Arrays.toString(begin))
              + ", end "
              + (end == null ? "(unknown)" : Arrays.toString(end))
              + " and strides "
              + Arrays.toString(strides)
              + " must have one length, below 32 (the masks have 32 bits)");
    }
    if (Integer.bitCount(m.ellipsis()) > 1) {
      throw new IllegalArgumentException(
          "ellipsis_mask " + m.ellipsis() + " sets more than one bit: at most one ellipsis");
    }
    int ellipsis = m.ellipsis();
    int newAfterEllipsis = 0;
    boolean seen = false;
    for (int i = 0; i < sparse; i++) {
      if (seen && bit(m.newAxis(), i)) {
        newAfterEllipsis++;
      }
      seen |= bit(ellipsis, i);
    }
    int entries = sparse;
    if (!seen) {
      ellipsis |= 1 << sparse;
      entries++;
    }
    // The dense spec: one entry per input dimension.
    int rank = dims.length;
    long[] b = new long[rank];
    long[] e = new long[rank];
    long[] s = new long[rank];
    boolean[] beginMasked = new boolean[rank];
    boolean[] endMasked = new boolean[rank];
    boolean[] shrink = new boolean[rank];
    int[] gather = new int[entries + rank];
    int gathered = 0;
    int full = 0;
    for (int i = 0; i < entries; i++) {
      if (bit(ellipsis, i)) {
        int next = Math.min(rank - (entries - i) + 1 + newAfterEllipsis, rank);
        for (; full < next; full++) {
          s[full] = 1;
          beginMasked[full] = true;
          endMasked[full] = true;
          gather[gathered++] = full;
        }
      } else if (bit(m.newAxis(), i)) {
        gather[gathered++] = NEW_AXIS;
      } else {
        if (full == rank) {
          throw new IllegalArgumentException(
              rank == 0
                  ? "cannot slice a scalar"
                  : "entry "
                      + i
                      + " of begin, end and strides has no input dimension left: the input has"
                      + " only "
                      + rank);
        }
        b[full] = begin == null ? 0 : begin[i];
        e[full] = end == null ? 0 : end[i];
        s[full] = strides[i];
        beginMasked[full] = bit(m.begin(), i);
        endMasked[full] = bit(m.end(), i);
        shrink[full] = bit(m.shrinkAxis(), i);
        gather[gathered++] = shrink[full] ? SHRINK : full;
        full++;
      }
    }
    boolean known = begin != null && end != null;
    long[] processing = new long[rank];
    for (int i = 0; i < rank; i++) {
      if (s[i] == 0) {
        throw new IllegalArgumentException("the stride of input dimension " + i + " is 0");
      }
      long d = dims[i];
      if (d == U) {
        processing[i] = shrink[i] ? 1 : U;
        continue;
      }
      if (shrink[i] && s[i] < 0) {
        throw new IllegalArgumentException(
            "input dimension "
                + i
                + " is indexed (shrink_axis_mask) with stride "
                + s[i]
                + ": only a positive stride is allowed");
      }
      long interval;
      if (known) {
        if (shrink[i]) {
          long x = b[i] < 0 ? d + b[i] : b[i];
          if (x < 0 || x >= d) {
            throw new IllegalArgumentException(
                "index " + b[i] + " is out of bounds for input dimension " + i + " of size " + d);
          }
          b[i] = x;
          e[i] = x + 1;
        } else {
          b[i] = canonical(b[i], d, s[i], beginMasked[i], true);
          e[i] = canonical(e[i], d, s[i], endMasked[i], false);
        }
        interval = e[i] - b[i];
      } else if (shrink[i]) {
        interval = 1;
      } else if (beginMasked[i] && endMasked[i]) {
        interval = s[i] < 0 ? -d : d;
      } else {
        processing[i] = U;
        continue;
      }
      processing[i] = size(interval, s[i]);
    }
    long[] output = new long[gathered];
    int k = 0;
    for (int j = 0; j < gathered; j++) {
      if (gather[j] >= 0) {
        output[k++] = processing[gather[j]];
      } else if (gather[j] == NEW_AXIS) {
        output[k++] = 1;
      }
    }
    return new StridedSliceSpec(b, s, processing, Arrays.copyOf(output, k));
  }

  /**
   * A begin ({@code first}) or end index made explicit: a masked one is the start or the end in the
   * stride's direction, another counts from the end if negative and is clamped to the valid range.
   */
  private static long canonical(long x, long dim, long stride, boolean masked, boolean first) {
    long lo = stride > 0 ? 0 : -1;
    long hi = stride > 0 ? dim : dim - 1;
    if (masked) {
      return first == (stride > 0) ? lo : hi; // the start in the stride's direction, or the end
    }
    long fwd = x < 0 ? dim + x : x;
    return Math.max(lo, Math.min(hi, fwd));
  }

  /** Elements from {@code begin} to {@code begin + interval} (exclusive) by {@code stride}. */
  private static long size(long interval, long stride) {
    if (interval == 0 || (interval < 0) != (stride < 0)) {
      return 0;
    }
    return interval / stride + (interval % stride != 0 ? 1 : 0);
  }
}
