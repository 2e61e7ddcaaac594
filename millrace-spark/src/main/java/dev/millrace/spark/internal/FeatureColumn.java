package dev.millrace.spark.internal;

import dev.millrace.records.FeatureType;
import java.io.Serial;
import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * How one DataFrame column maps to a {@code tf.train.Feature}: int64 lists are {@code long} (or
 * {@code int}, range-checked), float lists {@code float} (or {@code double}, through float), bytes
 * lists {@code binary} (or {@code string}, as UTF-8). A column of the element type holds a feature
 * of exactly one value, an array column a list of any length; for a {@code SequenceExample}'s
 * feature list, an array of arrays holds one list per step.
 *
 * @param name the column's name, which is the feature's key
 * @param value how each value is held in Spark
 * @param depth 0 for one value, 1 for a list, 2 for a list per step
 */
public record FeatureColumn(String name, Value value, int depth) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** A value's Spark type and the feature kind it maps to. */
  public enum Value {
    LONG(FeatureType.INT64, DataTypes.LongType),
    INT(FeatureType.INT64, DataTypes.IntegerType),
    FLOAT(FeatureType.FLOAT, DataTypes.FloatType),
    DOUBLE(FeatureType.FLOAT, DataTypes.DoubleType),
    BINARY(FeatureType.BYTES, DataTypes.BinaryType),
    STRING(FeatureType.BYTES, DataTypes.StringType);

    private final FeatureType kind;
    private final DataType sparkType;

    Value(FeatureType kind, DataType sparkType) {
      this.kind = kind;
      this.sparkType = sparkType;
    }

    /** The feature kind this value maps to. */
    public FeatureType kind() {
      return kind;
    }

    /** The Spark type that holds the value. */
    public DataType sparkType() {
      return sparkType;
    }

    /** The value inferred for a feature kind: long, float, binary ({@code NONE}: binary). */
    public static Value of(FeatureType kind) {
      return switch (kind) {
        case INT64 -> LONG;
        case FLOAT -> FLOAT;
        case BYTES, NONE -> BINARY;
      };
    }
  }

  /**
   * The mapping of a column of a DataFrame's schema.
   *
   * @param maxDepth 1 for an Example's features, 2 where a SequenceExample's feature lists may be
   * @throws IllegalArgumentException for a type no feature maps to; the message names the column
   */
  public static FeatureColumn of(StructField field, int maxDepth) {
    DataType t = field.dataType();
    int depth = 0;
    while (t instanceof ArrayType a && depth < maxDepth) {
      t = a.elementType();
      depth++;
    }
    Value value =
        switch (t) {
          case LongType l -> Value.LONG;
          case IntegerType i -> Value.INT;
          case FloatType f -> Value.FLOAT;
          case DoubleType d -> Value.DOUBLE;
          case BinaryType b -> Value.BINARY;
          case StringType s -> Value.STRING;
          default -> null;
        };
    if (value == null) {
      throw new IllegalArgumentException(
          "column '"
              + field.name()
              + "' is "
              + field.dataType().simpleString()
              + ": a tf.train.Example feature maps to bigint, int, float, double, binary or"
              + " string, or an array of one of them"
              + (maxDepth == 2
                  ? " (an array of arrays for a SequenceExample's feature list)"
                  : ""));
    }
    return new FeatureColumn(field.name(), value, depth);
  }

  /** The Spark type of a column of this mapping. */
  public DataType sparkType() {
    DataType t = value.sparkType();
    for (int i = 0; i < depth; i++) {
      t = DataTypes.createArrayType(t, false);
    }
    return t;
  }

  /** How the column reads in messages: {@code bigint}, {@code array<float>}, ... */
  public String describe() {
    return sparkType().simpleString().toLowerCase(Locale.ROOT);
  }
}
