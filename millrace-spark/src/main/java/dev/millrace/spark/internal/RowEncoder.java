package dev.millrace.spark.internal;

import com.google.protobuf.ByteString;
import dev.millrace.records.Examples;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.FeatureList;
import dev.millrace.records.proto.FeatureLists;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.FloatList;
import dev.millrace.records.proto.Int64List;
import dev.millrace.records.proto.SequenceExample;
import dev.millrace.spark.RecordType;
import java.io.Serial;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns a row into a record: an Example of one feature per non-null column (a SequenceExample's
 * array-of-arrays columns are its feature lists, the others its context), serialized as {@link
 * Examples} serializes every Example Millrace writes; or, for raw records, the bytes of the one
 * binary column. A null column is a feature left out; an empty array is a feature with an empty
 * list.
 */
public final class RowEncoder implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final RecordType type;
  private final FeatureColumn[] columns;

  /** The binary column of raw records; null for Examples. */
  private final String rawColumn;

  /**
   * An encoder for rows of {@code schema}.
   *
   * @throws IllegalArgumentException if a column has no feature type, or raw records are asked of a
   *     schema other than one binary column
   */
  public RowEncoder(RecordType type, StructType schema) {
    this.type = type;
    StructField[] fields = schema.fields();
    if (type == RecordType.BYTE_ARRAY) {
      if (fields.length != 1 || !(fields[0].dataType() instanceof BinaryType)) {
        throw new IllegalArgumentException(
            "recordType ByteArray writes one binary column, not " + schema.simpleString());
      }
      this.columns = new FeatureColumn[0];
      this.rawColumn = fields[0].name();
    } else {
      this.rawColumn = null;
      int maxDepth = type == RecordType.SEQUENCE_EXAMPLE ? 2 : 1;
      this.columns = new FeatureColumn[fields.length];
      for (int i = 0; i < fields.length; i++) {
        columns[i] = FeatureColumn.of(fields[i], maxDepth);
      }
    }
  }

  /**
   * The serialized record of {@code row}.
   *
   * @throws IllegalArgumentException if an array holds a null, which no feature list can
   */
  public byte[] encode(InternalRow row) {
    return switch (type) {
      case BYTE_ARRAY -> row.isNullAt(0) ? nullRecord() : row.getBinary(0);
      case EXAMPLE -> Examples.serialize(Examples.of(features(row)));
      case SEQUENCE_EXAMPLE -> sequence(row);
    };
  }

  private byte[] nullRecord() {
    throw new IllegalArgumentException("column '" + rawColumn + "' is null: a record cannot be");
  }

  private Features.Builder features(InternalRow row) {
    Features.Builder f = Features.newBuilder();
    for (int i = 0; i < columns.length; i++) {
      if (!row.isNullAt(i) && columns[i].depth() < 2) {
        f.putFeature(columns[i].name(), feature(columns[i], row, i));
      }
    }
    return f;
  }

  private byte[] sequence(InternalRow row) {
    FeatureLists.Builder lists = FeatureLists.newBuilder();
    for (int i = 0; i < columns.length; i++) {
      FeatureColumn c = columns[i];
      if (c.depth() == 2 && !row.isNullAt(i)) {
        ArrayData steps = row.getArray(i);
        FeatureList.Builder list = FeatureList.newBuilder();
        for (int k = 0; k < steps.numElements(); k++) {
          if (steps.isNullAt(k)) {
            throw new IllegalArgumentException(
                "column '"
                    + c.name()
                    + "': step "
                    + k
                    + " is null (a feature list step cannot be)");
          }
          list.addFeature(list(c, steps.getArray(k)));
        }
        lists.putFeatureList(c.name(), list.build());
      }
    }
    return Examples.serialize(
        SequenceExample.newBuilder().setContext(features(row)).setFeatureLists(lists).build());
  }

  private static Feature feature(FeatureColumn c, InternalRow row, int i) {
    if (c.depth() == 1) {
      return list(c, row.getArray(i));
    }
    Feature.Builder f = Feature.newBuilder();
    switch (c.value()) {
      case LONG -> f.setInt64List(Int64List.newBuilder().addValue(row.getLong(i)));
      case INT -> f.setInt64List(Int64List.newBuilder().addValue(row.getInt(i)));
      case FLOAT -> f.setFloatList(FloatList.newBuilder().addValue(row.getFloat(i)));
      case DOUBLE -> f.setFloatList(FloatList.newBuilder().addValue((float) row.getDouble(i)));
      case BINARY ->
          f.setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(row.getBinary(i))));
      case STRING ->
          f.setBytesList(
              BytesList.newBuilder()
                  .addValue(ByteString.copyFrom(row.getUTF8String(i).getBytes())));
    }
    return f.build();
  }

  private static Feature list(FeatureColumn c, ArrayData a) {
    int n = a.numElements();
    for (int j = 0; j < n; j++) {
      if (a.isNullAt(j)) {
        throw new IllegalArgumentException(
            "column '"
                + c.name()
                + "': element "
                + j
                + " is null (a feature list cannot hold one)");
      }
    }
    Feature.Builder f = Feature.newBuilder();
    switch (c.value()) {
      case LONG, INT -> {
        Int64List.Builder b = Int64List.newBuilder();
        for (int j = 0; j < n; j++) {
          b.addValue(c.value() == FeatureColumn.Value.LONG ? a.getLong(j) : a.getInt(j));
        }
        f.setInt64List(b);
      }
      case FLOAT, DOUBLE -> {
        FloatList.Builder b = FloatList.newBuilder();
        for (int j = 0; j < n; j++) {
          b.addValue(
              c.value() == FeatureColumn.Value.FLOAT ? a.getFloat(j) : (float) a.getDouble(j));
        }
        f.setFloatList(b);
      }
      case BINARY, STRING -> {
        BytesList.Builder b = BytesList.newBuilder();
        for (int j = 0; j < n; j++) {
          b.addValue(
              ByteString.copyFrom(
                  c.value() == FeatureColumn.Value.BINARY
                      ? a.getBinary(j)
                      : a.getUTF8String(j).getBytes()));
        }
        f.setBytesList(b);
      }
    }
    return f.build();
  }
}
