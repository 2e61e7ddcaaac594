package dev.millrace.graph.internal.ops;

import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/** Type sets and small helpers shared by the op definitions. */
final class Defs {
  static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};
  static final DType[] NUMBERS = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64};
  static final DType[] INDEX = {DType.INT32, DType.INT64};
  static final Set<DType> FLOAT_SET = Set.of(FLOATS);

  private Defs() {}

  static List<Shape> one(Shape s) {
    return Collections.singletonList(s);
  }

  /** An int32 or int64 vector tensor holding {@code values}. */
  static Tensor intVector(DType type, long[] values) {
    Tensor t = Tensor.zeros(type, Shape.of(values.length));
    for (int i = 0; i < values.length; i++) {
      if (type == DType.INT64) {
        t.setLong(i, values[i]);
      } else {
        t.setInt(i, Math.toIntExact(values[i]));
      }
    }
    return t;
  }

  /** {@code v} as ints; fails on a value out of int range. */
  static int[] toInts(long[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.toIntExact(v[i]);
    }
    return out;
  }

  /** A FLOAT32 or FLOAT64 scalar holding {@code v}. */
  static Tensor floating(DType t, double v) {
    return t == DType.FLOAT64
        ? Tensor.ofDoubles(Shape.scalar(), v)
        : Tensor.ofFloats(Shape.scalar(), (float) v);
  }

  /** A scalar of {@code type} holding {@code value}. */
  static Tensor scalar(DType type, long value) {
    Tensor t = Tensor.zeros(type, Shape.scalar());
    if (type == DType.INT64) {
      t.setLong(0, value);
    } else {
      t.setInt(0, Math.toIntExact(value));
    }
    return t;
  }

  /** The value of a variable; fails naming it when it is not initialised. */
  static Tensor value(VariableSlot slot) {
    Tensor v = slot.value();
    if (v == null) {
      throw new IllegalStateException("variable '" + slot.name() + "' is not initialized");
    }
    return v;
  }
}
