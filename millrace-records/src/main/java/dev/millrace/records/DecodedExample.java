package dev.millrace.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * The requested features of one {@code tf.train.Example}, as filled by {@link
 * ExampleDecoder#decode}; made by {@link ExampleDecoder#newResult()} and reused for Example after
 * Example, so that the steady state allocates nothing.
 *
 * <p>Features are addressed by their index in the decoder's name list. Values are kept without
 * conversion: int64 and float values in arrays that grow to the largest list seen and never shrink;
 * bytes values as zero-copy views ({@link #bytesOffset}, {@link #bytesLength}) into the buffer that
 * was decoded ({@link #source()}). Everything here is valid until the next {@code decode} into this
 * result; the result keeps a reference to that buffer until then.
 *
 * <p>The arrays returned by {@link #int64s}, {@link #floats}, {@link #bytesOffsets} and {@link
 * #bytesLengths} are the result's own backing arrays (only the first {@link #count} entries are
 * meaningful): this is a deliberate exception to defensive copying, for the input pipeline's hot
 * path. Not thread-safe: one result per thread.
 */
public final class DecodedExample {
  private static final long[] NO_LONGS = new long[0];
  private static final float[] NO_FLOATS = new float[0];
  private static final int[] NO_INTS = new int[0];

  final ExampleDecoder decoder;
  final FeatureType[] type;
  final boolean[] present;
  final int[] count;
  final long[][] int64s;
  final float[][] floats;
  final int[][] bytesOffsets;
  final int[][] bytesLengths;
  private byte[] source;

  DecodedExample(ExampleDecoder decoder) {
    int n = decoder.size();
    this.decoder = decoder;
    this.type = new FeatureType[n];
    this.present = new boolean[n];
    this.count = new int[n];
    this.int64s = new long[n][];
    this.floats = new float[n][];
    this.bytesOffsets = new int[n][];
    this.bytesLengths = new int[n][];
    Arrays.fill(type, FeatureType.NONE);
    Arrays.fill(int64s, NO_LONGS);
    Arrays.fill(floats, NO_FLOATS);
    Arrays.fill(bytesOffsets, NO_INTS);
    Arrays.fill(bytesLengths, NO_INTS);
  }

  /** Number of requested features (the decoder's name count). */
  public int size() {
    return type.length;
  }

  /** The name of feature {@code i}, as given to the decoder. */
  public String name(int i) {
    return decoder.featureNames().get(i);
  }

  /**
   * Which list feature {@code i} holds: {@link FeatureType#NONE} when the Example lacks it or its
   * {@code Feature} has no kind set (TensorFlow reads both as zero values).
   */
  public FeatureType type(int i) {
    return type[Objects.checkIndex(i, type.length)];
  }

  /** Whether the Example has an entry for feature {@code i} (even one with no kind or values). */
  public boolean present(int i) {
    return present[Objects.checkIndex(i, present.length)];
  }

  /** Number of values of feature {@code i}; 0 when absent or of kind NONE. */
  public int count(int i) {
    return count[Objects.checkIndex(i, count.length)];
  }

  /** Value {@code j} of int64 feature {@code i}. */
  public long int64(int i, int j) {
    return int64s[checked(i, j, FeatureType.INT64)][j];
  }

  /** Value {@code j} of float feature {@code i}. */
  public float float32(int i, int j) {
    return floats[checked(i, j, FeatureType.FLOAT)][j];
  }

  /** The buffer of the last decode, into which {@link #bytesOffset} points. */
  public byte[] source() {
    return source;
  }

  /** Where value {@code j} of bytes feature {@code i} starts in {@link #source()}. */
  public int bytesOffset(int i, int j) {
    return bytesOffsets[checked(i, j, FeatureType.BYTES)][j];
  }

  /** The length of value {@code j} of bytes feature {@code i}. */
  public int bytesLength(int i, int j) {
    return bytesLengths[checked(i, j, FeatureType.BYTES)][j];
  }

  /** A copy of value {@code j} of bytes feature {@code i} (allocates; off the hot path). */
  public byte[] copyBytes(int i, int j) {
    int off = bytesOffset(i, j);
    return Arrays.copyOfRange(source, off, off + bytesLengths[i][j]);
  }

  /** Backing array of int64 feature {@code i}; its first {@link #count(int)} entries are valid. */
  public long[] int64s(int i) {
    return backing(i, FeatureType.INT64) ? int64s[i] : NO_LONGS;
  }

  /** Backing array of float feature {@code i}; its first {@link #count(int)} entries are valid. */
  public float[] floats(int i) {
    return backing(i, FeatureType.FLOAT) ? floats[i] : NO_FLOATS;
  }

  /**
   * Backing array of the value offsets of bytes feature {@code i}; first {@code count(i)} valid.
   */
  public int[] bytesOffsets(int i) {
    return backing(i, FeatureType.BYTES) ? bytesOffsets[i] : NO_INTS;
  }

  /**
   * Backing array of the value lengths of bytes feature {@code i}; first {@code count(i)} valid.
   */
  public int[] bytesLengths(int i) {
    return backing(i, FeatureType.BYTES) ? bytesLengths[i] : NO_INTS;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DecodedExample{");
    for (int i = 0; i < type.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(name(i)).append(": ");
      sb.append(present[i] ? type[i] + "[" + count[i] + "]" : "absent");
    }
    return sb.append('}').toString();
  }

  // --- filled by ExampleDecoder ---

  void begin(byte[] buf) {
    source = buf;
    Arrays.fill(present, false);
    Arrays.fill(type, FeatureType.NONE);
    Arrays.fill(count, 0);
  }

  /** A map entry for feature {@code i}: a later entry with the same key replaces an earlier one. */
  void startFeature(int i) {
    present[i] = true;
    type[i] = FeatureType.NONE;
    count[i] = 0;
  }

  /**
   * A list field of kind {@code t}: protobuf merges repeated occurrences of the same oneof member
   * and lets a different member replace the current one.
   */
  void kind(int i, FeatureType t) {
    if (type[i] != t) {
      type[i] = t;
      count[i] = 0;
    }
  }

  void addInt64(int i, long v) {
    int c = count[i];
    long[] a = int64s[i];
    if (c == a.length) {
      a = int64s[i] = Arrays.copyOf(a, grow(a.length, c + 1));
    }
    a[c] = v;
    count[i] = c + 1;
  }

  /** Room for {@code extra} more int64 values after the current ones. */
  long[] reserveInt64s(int i, int extra) {
    long[] a = int64s[i];
    int need = count[i] + extra;
    if (need > a.length) {
      a = int64s[i] = Arrays.copyOf(a, grow(a.length, need));
    }
    return a;
  }

  void addFloat(int i, float v) {
    int c = count[i];
    float[] a = floats[i];
    if (c == a.length) {
      a = floats[i] = Arrays.copyOf(a, grow(a.length, c + 1));
    }
    a[c] = v;
    count[i] = c + 1;
  }

  /** Room for {@code extra} more float values after the current ones. */
  float[] reserveFloats(int i, int extra) {
    float[] a = floats[i];
    int need = count[i] + extra;
    if (need > a.length) {
      a = floats[i] = Arrays.copyOf(a, grow(a.length, need));
    }
    return a;
  }

  void addBytes(int i, int off, int len) {
    int c = count[i];
    if (c == bytesOffsets[i].length) {
      int n = grow(c, c + 1);
      bytesOffsets[i] = Arrays.copyOf(bytesOffsets[i], n);
      bytesLengths[i] = Arrays.copyOf(bytesLengths[i], n);
    }
    bytesOffsets[i][c] = off;
    bytesLengths[i][c] = len;
    count[i] = c + 1;
  }

  private static int grow(int length, int needed) {
    long n = Math.max(needed, Math.max(8, 2L * length));
    if (needed < 0 || needed > Integer.MAX_VALUE - 8) {
      throw new OutOfMemoryError("feature list of " + needed + " values");
    }
    return (int) Math.min(n, Integer.MAX_VALUE - 8);
  }

  private int checked(int i, int j, FeatureType expected) {
    FeatureType t = type[Objects.checkIndex(i, type.length)];
    if (t != expected) {
      throw new IllegalStateException(
          "feature " + i + " ('" + name(i) + "') is " + t + ", not " + expected);
    }
    Objects.checkIndex(j, count[i]);
    return i;
  }

  private boolean backing(int i, FeatureType expected) {
    FeatureType t = type[Objects.checkIndex(i, type.length)];
    if (t == expected) {
      return true;
    }
    if (t == FeatureType.NONE) {
      return false;
    }
    throw new IllegalStateException(
        "feature " + i + " ('" + name(i) + "') is " + t + ", not " + expected);
  }
}
