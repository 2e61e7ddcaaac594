package dev.millrace.tensor;

import java.util.Locale;

/**
 * Element types, with TensorFlow's names and {@code DataType} enum numbers so that GraphDefs and
 * TensorProtos map onto them directly.
 */
public enum DType {
  FLOAT32(4, 1, "float"),
  FLOAT64(8, 2, "double"),
  INT32(4, 3, "int32"),
  UINT8(1, 4, "uint8"),
  INT8(1, 6, "int8"),
  /** Variable-length byte strings; not stored in the tensor's memory segment. */
  STRING(-1, 7, "string"),
  INT64(8, 9, "int64"),
  BOOL(1, 10, "bool"),
  QINT8(1, 11, "qint8"),
  QUINT8(1, 12, "quint8"),
  QINT32(4, 13, "qint32");

  private final int byteSize;
  private final int tensorflowNumber;
  private final String tensorflowName;

  DType(int byteSize, int tensorflowNumber, String tensorflowName) {
    this.byteSize = byteSize;
    this.tensorflowNumber = tensorflowNumber;
    this.tensorflowName = tensorflowName;
  }

  /** Bytes per element; -1 for {@link #STRING}. */
  public int byteSize() {
    return byteSize;
  }

  /** The number of TensorFlow's {@code DataType} enum value ({@code DT_FLOAT = 1}, ...). */
  public int tensorflowNumber() {
    return tensorflowNumber;
  }

  /** TensorFlow's short name ({@code float}, {@code int64}, {@code quint8}, ...). */
  public String tensorflowName() {
    return tensorflowName;
  }

  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64;
  }

  public boolean isInteger() {
    return this == INT32 || this == INT64 || this == UINT8 || this == INT8;
  }

  public boolean isQuantized() {
    return this == QINT8 || this == QUINT8 || this == QINT32;
  }

  /** The type with TensorFlow's {@code DataType} number (the {@code _REF} variants, +100, too). */
  public static DType fromTensorflowNumber(int number) {
    int base = number > 100 ? number - 100 : number;
    for (DType t : values()) {
      if (t.tensorflowNumber == base) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported TensorFlow DataType number: " + number);
  }

  /** Parses a name such as {@code float32}, {@code float}, {@code int64}, {@code quint8}. */
  public static DType parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (DType t : values()) {
      if (t.tensorflowName.equals(n) || t.name().toLowerCase(Locale.ROOT).equals(n)) {
        return t;
      }
    }
    if (n.equals("float16") || n.equals("half") || n.equals("bfloat16")) {
      throw new IllegalArgumentException("dtype '" + name + "' is not supported (use float32)");
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "'");
  }
}
