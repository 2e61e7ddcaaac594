package dev.millrace.spark.internal;

import dev.millrace.records.DecodedExample;
import dev.millrace.records.ExampleDecoder;
import dev.millrace.records.FeatureType;
import dev.millrace.records.MalformedExampleException;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.FeatureList;
import dev.millrace.records.proto.SequenceExample;
import dev.millrace.spark.RecordType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Turns one record into a row of the read schema. Examples go through {@link ExampleDecoder}, which
 * pulls the columns' features straight from the bytes; SequenceExamples through the protobuf
 * classes; raw records are copied.
 *
 * <p>Not thread-safe: one decoder per reading task.
 */
public abstract sealed class RowDecoder {
  /** A record that does not fit the schema: always an error, whatever the corruption policy. */
  public static final class SchemaMismatch extends Exception {
    SchemaMismatch(String message) {
      super(message);
    }
  }

  /** A decoder for rows of {@code schema}, from records of {@code type}. */
  public static RowDecoder of(RecordType type, StructType schema) {
    return switch (type) {
      case EXAMPLE -> new Examples(schema);
      case SEQUENCE_EXAMPLE -> new Sequences(schema);
      case BYTE_ARRAY -> new Raw(schema);
    };
  }

  /**
   * The row of the record in {@code buf[off, off + len)}; copies what it keeps.
   *
   * @throws MalformedExampleException if the record is not of the decoder's type
   * @throws SchemaMismatch if the record's features do not fit the schema's columns
   */
  public abstract InternalRow decode(byte[] buf, int off, int len)
      throws MalformedExampleException, SchemaMismatch;

  static FeatureColumn[] columns(StructType schema, int maxDepth) {
    StructField[] fields = schema.fields();
    FeatureColumn[] columns = new FeatureColumn[fields.length];
    for (int i = 0; i < fields.length; i++) {
      columns[i] = FeatureColumn.of(fields[i], maxDepth);
    }
    return columns;
  }

  /** Which columns of {@code schema} cannot hold null: a record must give them a value. */
  static boolean[] required(StructType schema) {
    StructField[] fields = schema.fields();
    boolean[] out = new boolean[fields.length];
    for (int i = 0; i < fields.length; i++) {
      out[i] = !fields[i].nullable();
    }
    return out;
  }

  /**
   * A record without a value for a column that cannot be null: Spark would otherwise read the null
   * as 0 (or fail without saying where), as it trusts the schema's nullability.
   */
  static SchemaMismatch noValue(FeatureColumn c, boolean present) {
    return new SchemaMismatch(
        "feature '"
            + c.name()
            + (present ? "' has no values" : "' is absent")
            + ", but column '"
            + c.name()
            + "' ("
            + c.describe()
            + ") is not nullable");
  }

  static SchemaMismatch wrongKind(FeatureColumn c, FeatureType kind) {
    return new SchemaMismatch(
        "feature '"
            + c.name()
            + "' holds "
            + kind.jsonName()
            + " values, but column '"
            + c.name()
            + "' is "
            + c.describe());
  }

  static SchemaMismatch notScalar(FeatureColumn c, int count) {
    return new SchemaMismatch(
        "feature '"
            + c.name()
            + "' has "
            + count
            + " values, but column '"
            + c.name()
            + "' is "
            + c.describe()
            + ", which holds one (make it array<"
            + c.value().sparkType().simpleString()
            + ">)");
  }

  static int toInt(FeatureColumn c, long v) throws SchemaMismatch {
    if (v != (int) v) {
      throw new SchemaMismatch(
          "feature '"
              + c.name()
              + "' holds "
              + v
              + ", which column '"
              + c.name()
              + "' (int) cannot");
    }
    return (int) v;
  }

  /** Examples: the requested features only, from the bytes, without protobuf objects. */
  static final class Examples extends RowDecoder {
    private final FeatureColumn[] columns;
    private final boolean[] required;
    private final ExampleDecoder decoder;
    private final DecodedExample example;

    Examples(StructType schema) {
      this.columns = columns(schema, 1);
      this.required = required(schema);
      this.decoder = ExampleDecoder.of(Arrays.stream(columns).map(FeatureColumn::name).toList());
      this.example = decoder.newResult();
    }

    @Override
    public InternalRow decode(byte[] buf, int off, int len)
        throws MalformedExampleException, SchemaMismatch {
      decoder.decode(buf, off, len, example);
      Object[] values = new Object[columns.length];
      for (int i = 0; i < columns.length; i++) {
        values[i] = value(columns[i], i);
        if (values[i] == null && required[i]) {
          throw noValue(columns[i], example.present(i));
        }
      }
      return new GenericInternalRow(values);
    }

    private Object value(FeatureColumn c, int i) throws SchemaMismatch {
      if (!example.present(i)) {
        return null;
      }
      FeatureType kind = example.type(i);
      int n = example.count(i);
      if (kind != FeatureType.NONE && kind != c.value().kind()) {
        throw wrongKind(c, kind);
      }
      if (c.depth() == 0) {
        if (n == 0) {
          return null;
        }
        if (n > 1) {
          throw notScalar(c, n);
        }
      }
      return switch (c.value()) {
        case LONG -> c.depth() == 0 ? example.int64(i, 0) : longs(example.int64s(i), n);
        case INT -> c.depth() == 0 ? toInt(c, example.int64(i, 0)) : ints(c, example.int64s(i), n);
        case FLOAT -> c.depth() == 0 ? example.float32(i, 0) : floats(example.floats(i), n);
        case DOUBLE ->
            c.depth() == 0 ? (double) example.float32(i, 0) : doubles(example.floats(i), n);
        case BINARY, STRING -> c.depth() == 0 ? bytes(c, i, 0) : byteList(c, i, n);
      };
    }

    private Object bytes(FeatureColumn c, int i, int j) {
      byte[] b = example.copyBytes(i, j);
      return c.value() == FeatureColumn.Value.STRING ? UTF8String.fromBytes(b) : b;
    }

    private ArrayData byteList(FeatureColumn c, int i, int n) {
      Object[] out = new Object[n];
      for (int j = 0; j < n; j++) {
        out[j] = bytes(c, i, j);
      }
      return new GenericArrayData(out);
    }
  }

  /** SequenceExamples: context features as for Examples, feature lists as arrays of lists. */
  static final class Sequences extends RowDecoder {
    private final FeatureColumn[] columns;
    private final boolean[] required;

    Sequences(StructType schema) {
      this.columns = columns(schema, 2);
      this.required = required(schema);
    }

    @Override
    public InternalRow decode(byte[] buf, int off, int len)
        throws MalformedExampleException, SchemaMismatch {
      SequenceExample s;
      try {
        s = SequenceExample.parseFrom(java.nio.ByteBuffer.wrap(buf, off, len));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new MalformedExampleException(0, "not a SequenceExample: " + e.getMessage());
      }
      Map<String, Feature> context = s.getContext().getFeatureMap();
      Map<String, FeatureList> lists = s.getFeatureLists().getFeatureListMap();
      Object[] values = new Object[columns.length];
      for (int i = 0; i < columns.length; i++) {
        FeatureColumn c = columns[i];
        if (c.depth() == 2) {
          FeatureList list = lists.get(c.name());
          if (list != null) {
            Object[] steps = new Object[list.getFeatureCount()];
            for (int k = 0; k < steps.length; k++) {
              steps[k] = feature(c, list.getFeature(k), 1);
            }
            values[i] = new GenericArrayData(steps);
          } else if (context.containsKey(c.name())) {
            throw inContext(c);
          }
        } else {
          Feature f = context.get(c.name());
          if (f == null && lists.containsKey(c.name())) {
            throw inLists(c);
          }
          values[i] = f == null ? null : feature(c, f, c.depth());
        }
        if (values[i] == null && required[i]) {
          throw noValue(
              c, c.depth() == 2 ? lists.containsKey(c.name()) : context.containsKey(c.name()));
        }
      }
      return new GenericInternalRow(values);
    }

    /** A feature list asked for as a context feature: its values would silently read as null. */
    private static SchemaMismatch inLists(FeatureColumn c) {
      return new SchemaMismatch(
          "feature '"
              + c.name()
              + "' is a feature list, but column '"
              + c.name()
              + "' is "
              + c.describe()
              + ", which holds a context feature (make it array<array<"
              + c.value().sparkType().simpleString()
              + ">>)");
    }

    /** A context feature asked for as a feature list. */
    private static SchemaMismatch inContext(FeatureColumn c) {
      String value = c.value().sparkType().simpleString();
      return new SchemaMismatch(
          "feature '"
              + c.name()
              + "' is a context feature, but column '"
              + c.name()
              + "' is "
              + c.describe()
              + ", which holds a feature list (make it "
              + value
              + " or array<"
              + value
              + ">)");
    }

    private static Object feature(FeatureColumn c, Feature f, int depth) throws SchemaMismatch {
      FeatureType kind =
          switch (f.getKindCase()) {
            case INT64_LIST -> FeatureType.INT64;
            case FLOAT_LIST -> FeatureType.FLOAT;
            case BYTES_LIST -> FeatureType.BYTES;
            case KIND_NOT_SET -> FeatureType.NONE;
          };
      if (kind != FeatureType.NONE && kind != c.value().kind()) {
        throw wrongKind(c, kind);
      }
      List<?> raw =
          switch (kind) {
            case INT64 -> f.getInt64List().getValueList();
            case FLOAT -> f.getFloatList().getValueList();
            case BYTES -> f.getBytesList().getValueList();
            case NONE -> List.of();
          };
      int n = raw.size();
      if (depth == 0) {
        if (n == 0) {
          return null;
        }
        if (n > 1) {
          throw notScalar(c, n);
        }
      }
      Object[] out = new Object[n];
      for (int j = 0; j < n; j++) {
        Object v = raw.get(j);
        out[j] =
            switch (c.value()) {
              case LONG -> v;
              case INT -> toInt(c, (Long) v);
              case FLOAT -> v;
              case DOUBLE -> (double) (Float) v;
              case BINARY -> ((com.google.protobuf.ByteString) v).toByteArray();
              case STRING ->
                  UTF8String.fromBytes(((com.google.protobuf.ByteString) v).toByteArray());
            };
      }
      return depth == 0 ? out[0] : new GenericArrayData(out);
    }
  }

  /** Raw records: the record's bytes in the one binary column, if it was asked for. */
  static final class Raw extends RowDecoder {
    private final boolean wanted;

    Raw(StructType schema) {
      this.wanted = schema.fields().length > 0;
      if (schema.fields().length > 1
          || (wanted
              && !(schema.fields()[0].dataType()
                  instanceof org.apache.spark.sql.types.BinaryType))) {
        throw new IllegalArgumentException(
            "recordType ByteArray reads one binary column, not " + schema.simpleString());
      }
    }

    @Override
    public InternalRow decode(byte[] buf, int off, int len) {
      return wanted
          ? new GenericInternalRow(new Object[] {Arrays.copyOfRange(buf, off, off + len)})
          : new GenericInternalRow(0);
    }
  }

  static ArrayData longs(long[] v, int n) {
    return UnsafeArrayData.fromPrimitiveArray(Arrays.copyOf(v, n));
  }

  static ArrayData ints(FeatureColumn c, long[] v, int n) throws SchemaMismatch {
    int[] out = new int[n];
    for (int j = 0; j < n; j++) {
      out[j] = toInt(c, v[j]);
    }
    return UnsafeArrayData.fromPrimitiveArray(out);
  }

  static ArrayData floats(float[] v, int n) {
    return UnsafeArrayData.fromPrimitiveArray(Arrays.copyOf(v, n));
  }

  static ArrayData doubles(float[] v, int n) {
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      out[j] = v[j];
    }
    return UnsafeArrayData.fromPrimitiveArray(out);
  }
}
