package dev.millrace.graph.types;

import dev.millrace.tensor.DType;

/**
 * The typed element types, for {@code import static dev.millrace.graph.types.Types.*}: {@code
 * tf.placeholder(FLOAT32, Shape.of(-1, 28, 28, 1))} returns an {@code Output<Float32>}.
 */
public final class Types {
  public static final DataType<Float32> FLOAT32 = new DataType<>(DType.FLOAT32, Float32.class);
  public static final DataType<Float64> FLOAT64 = new DataType<>(DType.FLOAT64, Float64.class);
  public static final DataType<Int32> INT32 = new DataType<>(DType.INT32, Int32.class);
  public static final DataType<Int64> INT64 = new DataType<>(DType.INT64, Int64.class);
  public static final DataType<UInt8> UINT8 = new DataType<>(DType.UINT8, UInt8.class);
  public static final DataType<Int8> INT8 = new DataType<>(DType.INT8, Int8.class);
  public static final DataType<Bool> BOOL = new DataType<>(DType.BOOL, Bool.class);
  public static final DataType<TString> STRING = new DataType<>(DType.STRING, TString.class);
  public static final DataType<QInt8> QINT8 = new DataType<>(DType.QINT8, QInt8.class);
  public static final DataType<QUInt8> QUINT8 = new DataType<>(DType.QUINT8, QUInt8.class);
  public static final DataType<QInt32> QINT32 = new DataType<>(DType.QINT32, QInt32.class);

  private Types() {}

  /** The typed constant for a runtime type (its marker is then known only at run time). */
  public static DataType<? extends TType> of(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> FLOAT32;
      case FLOAT64 -> FLOAT64;
      case INT32 -> INT32;
      case INT64 -> INT64;
      case UINT8 -> UINT8;
      case INT8 -> INT8;
      case BOOL -> BOOL;
      case STRING -> STRING;
      case QINT8 -> QINT8;
      case QUINT8 -> QUINT8;
      case QINT32 -> QINT32;
    };
  }
}
