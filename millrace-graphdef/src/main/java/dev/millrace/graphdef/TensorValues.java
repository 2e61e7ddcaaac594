package dev.millrace.graphdef;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
import dev.millrace.records.SizeLimits;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts between TensorFlow's {@code TensorProto} and Millrace tensors, as TensorFlow reads them:
 * the values are {@code tensor_content} (little-endian element bytes, exactly the shape's size) or
 * the typed {@code *_val} list, which may be shorter than the shape: then its last value repeats to
 * fill it, and an empty list means zeros. Every count is checked against the shape before anything
 * is allocated, and a tensor above {@value #MAX_ELEMENTS_PROPERTY} elements (default 2^31 - 1) is
 * refused, so a lying shape costs nothing.
 */
public final class TensorValues {
  /** System property capping the elements of one tensor read from a graph. */
  public static final String MAX_ELEMENTS_PROPERTY = "millrace.graphdef.max.elements";

  private TensorValues() {}

  /**
   * The shape of a {@code TensorShapeProto} that must be fully defined (a constant's).
   *
   * @throws IllegalArgumentException for unknown rank or dimensions, or negative sizes
   */
  public static Shape definedShape(TensorShapeProto p) {
    if (p.getUnknownRank()) {
      throw new IllegalArgumentException("shape of unknown rank");
    }
    long[] dims = new long[p.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      long d = p.getDim(i).getSize();
      if (d < 0) {
        throw new IllegalArgumentException("dimension " + i + " is " + d + " in " + show(p));
      }
      dims[i] = d;
    }
    return Shape.of(dims);
  }

  /** A shape that may have unknown dimensions ({@link Shape#UNKNOWN}); null for unknown rank. */
  public static Shape partialShape(TensorShapeProto p) {
    if (p.getUnknownRank()) {
      return null;
    }
    long[] dims = new long[p.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      long d = p.getDim(i).getSize();
      dims[i] = d < 0 ? Shape.UNKNOWN : d;
    }
    return Shape.of(dims);
  }

  /** {@code [?,32,32,3]}, as TensorFlow prints a partial shape; {@code <unknown>} for no rank. */
  public static String show(TensorShapeProto p) {
    if (p.getUnknownRank()) {
      return "<unknown>";
    }
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < p.getDimCount(); i++) {
      long d = p.getDim(i).getSize();
      b.append(i > 0 ? "," : "").append(d < 0 ? "?" : Long.toString(d));
    }
    return b.append(']').toString();
  }

  /**
   * Elements of the tensor {@code p} describes, after checking that its values can fill it.
   *
   * @throws IllegalArgumentException when the shape is not defined, the values disagree with it, or
   *     it is above the cap
   */
  public static long elementCount(TensorProto p) {
    Shape shape = definedShape(p.getTensorShape());
    long n = checkedSize(shape);
    DType type = dtype(p.getDtypeValue());
    checkValues(p, type, n);
    return n;
  }

  /**
   * The Millrace type of a TensorFlow {@code DataType} (a {@code _REF} type as its value type).
   *
   * @throws IllegalArgumentException for types Millrace has no tensors of
   */
  public static DType dtype(DataType t) {
    if (t == DataType.UNRECOGNIZED) {
      throw new IllegalArgumentException("unknown dtype");
    }
    return dtype(t.getNumber());
  }

  /** As {@link #dtype(DataType)}, from the enum's number as a file holds it (any int). */
  public static DType dtype(int number) {
    DataType t = DataType.forNumber(number);
    String name = t == null ? "number " + number : t.name();
    int base = number > 100 ? number - 100 : number;
    try {
      return DType.fromTensorflowNumber(base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unsupported dtype " + name, e);
    }
  }

  /** The TensorFlow {@code DataType} of a Millrace type. */
  public static DataType dataType(DType t) {
    return DataType.forNumber(t.tensorflowNumber());
  }

  /**
   * The tensor {@code p} holds.
   *
   * @throws IllegalArgumentException when it is malformed (see {@link #elementCount})
   */
  public static Tensor toTensor(TensorProto p) {
    DType type = dtype(p.getDtypeValue());
    Shape shape = definedShape(p.getTensorShape());
    long n = checkedSize(shape);
    checkValues(p, type, n);
    Tensor t = Tensor.zeros(type, shape);
    if (n == 0) {
      return t;
    }
    if (type == DType.STRING) {
      // Without values a string tensor holds empty strings, as in TensorFlow.
      for (int i = 0; i < n && p.getStringValCount() > 0; i++) {
        int from = Math.min(i, p.getStringValCount() - 1);
        t.setString(i, p.getStringVal(from).toByteArray());
      }
      return t;
    }
    if (!p.getTensorContent().isEmpty()) {
      MemorySegment src = MemorySegment.ofArray(p.getTensorContent().toByteArray());
      copyLittleEndian(src, type, t, n);
      return t;
    }
    int count = listCount(p, type);
    for (long i = 0; i < n && count > 0; i++) {
      int from = (int) Math.min(i, count - 1);
      switch (type) {
        case FLOAT32 -> t.setFloat(i, p.getFloatVal(from));
        case FLOAT64 -> t.setDouble(i, p.getDoubleVal(from));
        case INT32, QINT32 -> t.setInt(i, p.getIntVal(from));
        case UINT8, INT8, QINT8, QUINT8 -> t.setByte(i, (byte) p.getIntVal(from));
        case INT64 -> t.setLong(i, p.getInt64Val(from));
        case BOOL -> t.setByte(i, (byte) (p.getBoolVal(from) ? 1 : 0));
        case STRING -> throw new AssertionError("strings are handled above");
      }
    }
    return t;
  }

  /** A TensorProto of {@code t}: {@code tensor_content} for numbers, {@code string_val} else. */
  public static TensorProto toProto(Tensor t) {
    TensorProto.Builder b =
        TensorProto.newBuilder()
            .setDtype(dataType(t.dtype()))
            .setTensorShape(shapeProto(t.shape()));
    if (t.dtype() == DType.STRING) {
      for (int i = 0; i < t.size(); i++) {
        b.addStringVal(ByteString.copyFrom(t.getString(i)));
      }
      return b.build();
    }
    long bytes = t.size() * t.dtype().byteSize();
    byte[] out = new byte[Math.toIntExact(bytes)];
    ValueLayout layout = elementLayout(t.dtype());
    MemorySegment.copy(
        t.data(),
        layout,
        0,
        MemorySegment.ofArray(out),
        layout.withOrder(ByteOrder.LITTLE_ENDIAN),
        0,
        t.size());
    return b.setTensorContent(ByteString.copyFrom(out)).build();
  }

  /** A TensorShapeProto of a shape ({@link Shape#UNKNOWN} dimensions as -1). */
  public static TensorShapeProto shapeProto(Shape s) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (int i = 0; i < s.rank(); i++) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(s.dim(i)));
    }
    return b.build();
  }

  private static long checkedSize(Shape shape) {
    long n = 1;
    long cap = maxElements();
    for (int i = 0; i < shape.rank(); i++) {
      long d = shape.dim(i);
      if (d != 0 && n > Long.MAX_VALUE / d) {
        throw new IllegalArgumentException(
            "shape "
                + shape
                + " has more than the limit of "
                + cap
                + " elements (its size overflows a long)");
      }
      n *= d;
    }
    if (n > cap) {
      throw new IllegalArgumentException(
          "shape " + shape + " has " + n + " elements, more than the limit of " + cap);
    }
    return n;
  }

  private static void checkValues(TensorProto p, DType type, long n) {
    if (!p.getTensorContent().isEmpty()) {
      if (type == DType.STRING) {
        throw new IllegalArgumentException("a string tensor cannot use tensor_content");
      }
      long want = n * type.byteSize();
      if (p.getTensorContent().size() != want) {
        throw new IllegalArgumentException(
            "tensor_content has "
                + p.getTensorContent().size()
                + " bytes, "
                + type.tensorflowName()
                + " "
                + definedShape(p.getTensorShape())
                + " needs "
                + want);
      }
      return;
    }
    int count = listCount(p, type);
    if (count > n) {
      throw new IllegalArgumentException(
          count
              + " values for "
              + type.tensorflowName()
              + " "
              + definedShape(p.getTensorShape())
              + ", which holds "
              + n);
    }
  }

  private static int listCount(TensorProto p, DType type) {
    return switch (type) {
      case FLOAT32 -> p.getFloatValCount();
      case FLOAT64 -> p.getDoubleValCount();
      case INT32, QINT32, UINT8, INT8, QINT8, QUINT8 -> p.getIntValCount();
      case INT64 -> p.getInt64ValCount();
      case BOOL -> p.getBoolValCount();
      case STRING -> p.getStringValCount();
    };
  }

  private static void copyLittleEndian(MemorySegment src, DType type, Tensor t, long n) {
    ValueLayout layout = elementLayout(type);
    MemorySegment.copy(src, layout.withOrder(ByteOrder.LITTLE_ENDIAN), 0, t.data(), layout, 0, n);
  }

  /** The native layout of one element; TensorFlow's bytes are the little-endian twin of it. */
  private static ValueLayout elementLayout(DType type) {
    return switch (type) {
      case FLOAT32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
      case FLOAT64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
      case INT32, QINT32 -> ValueLayout.JAVA_INT_UNALIGNED;
      case INT64 -> ValueLayout.JAVA_LONG_UNALIGNED;
      case UINT8, INT8, QINT8, QUINT8, BOOL -> ValueLayout.JAVA_BYTE;
      case STRING -> throw new IllegalArgumentException("strings have no element bytes");
    };
  }

  static long maxElements() {
    return SizeLimits.fromProperty(
        MAX_ELEMENTS_PROPERTY, Integer.MAX_VALUE, "a number of elements");
  }
}
