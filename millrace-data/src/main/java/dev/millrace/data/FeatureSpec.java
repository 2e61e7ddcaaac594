package dev.millrace.data;

import dev.millrace.data.internal.Pixels;
import dev.millrace.records.DecodedExample;
import dev.millrace.records.FeatureType;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How one feature of a {@code tf.train.Example} becomes a tensor, as in TensorFlow's {@code
 * parse_example} feature specs (plus the usual decoding step that follows it):
 *
 * <ul>
 *   <li>fixed length ({@link #int64}, {@link #float32}, {@link #bytes}, with {@link #shape} and
 *       {@link #withDefault}): exactly {@code shape.size()} values, as a tensor of that shape; a
 *       missing feature takes the default, or fails without one ({@code FixedLenFeature});
 *   <li>variable length ({@link #int64List}, {@link #float32List}, {@link #bytesList}): all values
 *       as a rank-1 tensor, empty when missing ({@code VarLenFeature}, dense);
 *   <li>raw ({@link #raw}, {@link #rawImage}): one bytes value reinterpreted as little-endian
 *       elements of a fixed shape ({@code decode_raw}), optionally scaled to float ({@link
 *       #toFloat});
 *   <li>encoded image ({@link #image}): one JPEG or PNG bytes value decoded to {@code uint8 [h, w,
 *       c]} ({@code decode_image}), optionally scaled to float.
 * </ul>
 *
 * <p>Immutable; each setter returns a new spec.
 */
public final class FeatureSpec {
  enum Kind {
    FIXED,
    VAR_LEN,
    RAW,
    IMAGE
  }

  final String name;
  final Kind kind;

  /** What the Example holds: INT64, FLOAT32 or STRING (bytes). */
  final DType stored;

  /** FIXED and RAW: the output shape. */
  final Shape shape;

  /** RAW: the element type of the raw bytes. */
  final DType rawType;

  /** IMAGE: channels wanted (0: as stored). */
  final int channels;

  /** RAW and IMAGE: scale to FLOAT32 by this factor; NaN for no conversion. */
  final float scale;

  final Tensor defaultValue;

  /** {@code shape.size()}, kept because the hot path asks for it per record; -1 without shape. */
  private final long size;

  private FeatureSpec(
      String name,
      Kind kind,
      DType stored,
      Shape shape,
      DType rawType,
      int channels,
      float scale,
      Tensor defaultValue) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = kind;
    this.stored = stored;
    this.shape = shape;
    this.rawType = rawType;
    this.channels = channels;
    this.scale = scale;
    this.defaultValue = defaultValue;
    this.size = shape == null ? -1 : shape.size();
  }

  private static FeatureSpec fixed(String name, DType stored) {
    return new FeatureSpec(name, Kind.FIXED, stored, Shape.scalar(), null, 0, Float.NaN, null);
  }

  /** A required int64 scalar (set {@link #shape} for more values, a default to allow missing). */
  public static FeatureSpec int64(String name) {
    return fixed(name, DType.INT64);
  }

  /** A required float scalar. */
  public static FeatureSpec float32(String name) {
    return fixed(name, DType.FLOAT32);
  }

  /** A required bytes scalar, as a STRING tensor. */
  public static FeatureSpec bytes(String name) {
    return fixed(name, DType.STRING);
  }

  /** All int64 values, rank 1. */
  public static FeatureSpec int64List(String name) {
    return new FeatureSpec(name, Kind.VAR_LEN, DType.INT64, null, null, 0, Float.NaN, null);
  }

  /** All float values, rank 1. */
  public static FeatureSpec float32List(String name) {
    return new FeatureSpec(name, Kind.VAR_LEN, DType.FLOAT32, null, null, 0, Float.NaN, null);
  }

  /** All bytes values, a rank-1 STRING tensor. */
  public static FeatureSpec bytesList(String name) {
    return new FeatureSpec(name, Kind.VAR_LEN, DType.STRING, null, null, 0, Float.NaN, null);
  }

  /**
   * One bytes value holding {@code shape.size()} little-endian elements of {@code type} (what
   * TensorFlow's {@code decode_raw} reads), as a tensor of that shape.
   */
  public static FeatureSpec raw(String name, DType type, long... shape) {
    if (type == DType.STRING) {
      throw new IllegalArgumentException("raw features hold numbers, not strings");
    }
    return new FeatureSpec(name, Kind.RAW, DType.STRING, Shape.of(shape), type, 0, Float.NaN, null);
  }

  /** Raw uint8 pixels of an {@code height × width × channels} image (HWC). */
  public static FeatureSpec rawImage(String name, int height, int width, int channels) {
    return raw(name, DType.UINT8, height, width, channels);
  }

  /**
   * One JPEG or PNG bytes value decoded to {@code uint8 [h, w, channels]}: {@code channels} 1 for
   * gray, 3 for RGB, 0 for as stored.
   */
  public static FeatureSpec image(String name, int channels) {
    if (channels != 0 && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 0, 1 or 3, got " + channels);
    }
    return new FeatureSpec(name, Kind.IMAGE, DType.STRING, null, null, channels, Float.NaN, null);
  }

  /** This fixed-length or raw feature with another shape. */
  public FeatureSpec shape(long... dims) {
    if (kind != Kind.FIXED && kind != Kind.RAW) {
      throw new IllegalStateException("only fixed-length and raw features have a shape: " + this);
    }
    Shape s = Shape.of(dims);
    if (!s.isFullyDefined()) {
      throw new IllegalArgumentException(
          "feature '" + name + "' needs a fully defined shape, got " + s);
    }
    return new FeatureSpec(
        name, kind, stored, s, rawType, channels, scale, checkDefault(defaultValue, s));
  }

  /**
   * This raw or image feature converted to FLOAT32, each value multiplied by {@code scale} ({@code
   * 1f / 255} maps pixels to [0, 1]).
   */
  public FeatureSpec toFloat(float scale) {
    if (kind != Kind.RAW && kind != Kind.IMAGE) {
      throw new IllegalStateException("only raw and image features convert to float: " + this);
    }
    return new FeatureSpec(name, kind, stored, shape, rawType, channels, scale, defaultValue);
  }

  /** This int64 feature with a default (one value for every element, or all of them). */
  public FeatureSpec withDefault(long... values) {
    requireFixed(DType.INT64);
    return withDefaultTensor(Tensor.ofLongs(Shape.of(values.length), values));
  }

  /** This float feature with a default. */
  public FeatureSpec withDefault(float... values) {
    requireFixed(DType.FLOAT32);
    return withDefaultTensor(Tensor.ofFloats(Shape.of(values.length), values));
  }

  /** This bytes feature with a default. */
  public FeatureSpec withDefault(byte[]... values) {
    requireFixed(DType.STRING);
    return withDefaultTensor(Tensor.ofStrings(Shape.of(values.length), values));
  }

  private FeatureSpec withDefaultTensor(Tensor flat) {
    return new FeatureSpec(
        name, kind, stored, shape, rawType, channels, scale, checkDefault(flat, shape));
  }

  private Tensor checkDefault(Tensor flat, Shape s) {
    if (flat == null) {
      return null;
    }
    long n = flat.shape().dim(0);
    if (n != 1 && n != s.size()) {
      throw new IllegalArgumentException(
          "default of '" + name + "' has " + n + " values, shape " + s + " needs 1 or " + s.size());
    }
    Tensor t = Tensor.zeros(flat.dtype(), s);
    for (int i = 0; i < s.size(); i++) {
      int from = n == 1 ? 0 : i;
      switch (flat.dtype()) {
        case INT64 -> t.setLong(i, flat.getLong(from));
        case FLOAT32 -> t.setFloat(i, flat.getFloat(from));
        default -> t.setString(i, flat.getString(from));
      }
    }
    return t;
  }

  private void requireFixed(DType type) {
    if (kind != Kind.FIXED || stored != type) {
      throw new IllegalStateException(
          "a " + type + " default needs a fixed-length " + type + " feature, not " + this);
    }
  }

  public String name() {
    return name;
  }

  /** The dtype of the tensor this feature decodes to. */
  public DType dtype() {
    return switch (kind) {
      case FIXED, VAR_LEN -> stored;
      case RAW -> Float.isNaN(scale) ? rawType : DType.FLOAT32;
      case IMAGE -> Float.isNaN(scale) ? DType.UINT8 : DType.FLOAT32;
    };
  }

  /** The shape of the decoded tensor; null when it varies (var-length lists, images). */
  public Shape outputShape() {
    return kind == Kind.FIXED || kind == Kind.RAW ? shape : null;
  }

  private static FeatureType listType(DType stored) {
    return switch (stored) {
      case INT64 -> FeatureType.INT64;
      case FLOAT32 -> FeatureType.FLOAT;
      default -> FeatureType.BYTES;
    };
  }

  private static String listName(FeatureType t) {
    return switch (t) {
      case INT64 -> "int64_list";
      case FLOAT -> "float_list";
      case BYTES -> "bytes_list";
      case NONE -> "no list";
    };
  }

  /** The number of values feature {@code i} has, failing if they are of another kind. */
  private int count(DecodedExample ex, int i, TfRecord r) throws IOException {
    FeatureType t = ex.type(i);
    int n = ex.count(i);
    if (n > 0 && t != listType(stored)) {
      throw r.problem(
          "feature '"
              + name
              + "' is a "
              + listName(t)
              + ", expected a "
              + listName(listType(stored)),
          null);
    }
    return n;
  }

  /** Decodes feature {@code i} of {@code ex} (decoded from {@code r}) into a new tensor. */
  Tensor decode(DecodedExample ex, int i, TfRecord r) throws IOException {
    int n = count(ex, i, r);
    return switch (kind) {
      case FIXED -> {
        if (n == 0) {
          if (defaultValue == null) {
            throw r.problem(
                "feature '" + name + "' (" + describe() + ") is missing and has no default", null);
          }
          yield defaultValue.copy();
        }
        requireCount(n, r);
        Tensor t = Tensor.zeros(stored, shape);
        copyValues(ex, i, n, t, 0);
        yield t;
      }
      case VAR_LEN -> {
        Tensor t = Tensor.zeros(stored, Shape.of(n));
        copyValues(ex, i, n, t, 0);
        yield t;
      }
      case RAW -> {
        Tensor t = Tensor.zeros(dtype(), shape);
        decodeRaw(ex, i, n, r, t, 0);
        yield t;
      }
      case IMAGE -> {
        Tensor img = decodeImage(ex, i, n, r);
        if (Float.isNaN(scale)) {
          yield img;
        }
        Tensor f = Tensor.zeros(DType.FLOAT32, img.shape());
        Pixels.toFloat(img.toByteArray(), 0, f, 0, (int) img.size(), scale);
        yield f;
      }
    };
  }

  /** Decodes feature {@code i} of {@code ex} into row {@code row} of a batch tensor. */
  void decodeInto(DecodedExample ex, int i, TfRecord r, Tensor batch, int row) throws IOException {
    int n = count(ex, i, r);
    long rowSize = size;
    if (kind == Kind.RAW) {
      decodeRaw(ex, i, n, r, batch, row * rowSize);
      return;
    }
    if (n == 0) {
      if (defaultValue == null) {
        throw r.problem(
            "feature '" + name + "' (" + describe() + ") is missing and has no default", null);
      }
      dev.millrace.data.internal.Tensors.copyElements(
          defaultValue, 0, batch, row * rowSize, rowSize);
      return;
    }
    requireCount(n, r);
    copyValues(ex, i, n, batch, row * rowSize);
  }

  private void requireCount(int n, TfRecord r) throws IOException {
    if (n != size) {
      throw r.problem(
          "feature '" + name + "' has " + n + " values, shape " + shape + " needs " + shape.size(),
          null);
    }
  }

  private void copyValues(DecodedExample ex, int i, int n, Tensor t, long at) {
    switch (stored) {
      case INT64 ->
          MemorySegment.copy(ex.int64s(i), 0, t.data(), ValueLayout.JAVA_LONG_UNALIGNED, at * 8, n);
      case FLOAT32 ->
          MemorySegment.copy(
              ex.floats(i), 0, t.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, at * 4, n);
      default -> {
        for (int j = 0; j < n; j++) {
          t.setString((int) (at + j), ex.copyBytes(i, j));
        }
      }
    }
  }

  private void decodeRaw(DecodedExample ex, int i, int n, TfRecord r, Tensor t, long at)
      throws IOException {
    if (n != 1) {
      throw r.problem("raw feature '" + name + "' needs exactly one bytes value, got " + n, null);
    }
    int len = ex.bytesLength(i, 0);
    long want = size * rawType.byteSize();
    if (len != want) {
      throw r.problem(
          "raw feature '"
              + name
              + "' has "
              + len
              + " bytes, "
              + rawType
              + " "
              + shape
              + " needs "
              + want,
          null);
    }
    byte[] src = ex.source();
    int off = ex.bytesOffset(i, 0);
    int count = (int) size;
    if (Float.isNaN(scale)) {
      MemorySegment.copy(MemorySegment.ofArray(src), off, t.data(), at * rawType.byteSize(), len);
    } else if (rawType == DType.UINT8) {
      Pixels.toFloat(src, off, t, at, count, scale);
    } else {
      Pixels.rawToFloat(src, off, rawType, t, at, count, scale);
    }
  }

  private Tensor decodeImage(DecodedExample ex, int i, int n, TfRecord r) throws IOException {
    if (n != 1) {
      throw r.problem("image feature '" + name + "' needs exactly one bytes value, got " + n, null);
    }
    try {
      return Images.decode(ex.source(), ex.bytesOffset(i, 0), ex.bytesLength(i, 0), channels);
    } catch (IOException e) {
      throw r.problem("image feature '" + name + "': " + e.getMessage(), e);
    }
  }

  private String describe() {
    String type = stored.name().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case FIXED -> type + " " + shape;
      case VAR_LEN -> type + " list";
      case RAW -> "raw " + rawType.name().toLowerCase(Locale.ROOT) + " " + shape;
      case IMAGE -> "image, " + channels + " channels";
    };
  }

  @Override
  public String toString() {
    return "FeatureSpec{"
        + name
        + ": "
        + describe()
        + (Float.isNaN(scale) ? "" : " -> float32 ×" + scale)
        + (defaultValue == null ? "" : ", default")
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSpec f && f.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  static String[] names(FeatureSpec[] specs) {
    return Arrays.stream(specs).map(FeatureSpec::name).toArray(String[]::new);
  }
}
