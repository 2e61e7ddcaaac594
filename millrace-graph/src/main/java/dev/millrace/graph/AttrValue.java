package dev.millrace.graph;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A typed attribute value of an operation, as TensorFlow's {@code AttrValue}: int, float, bool,
 * string, type, shape, list(int), list(type) or tensor. Values are immutable (arrays and tensors
 * are copied in and out).
 */
public sealed interface AttrValue {

  /** The kind of value. */
  AttrType type();

  static AttrValue of(long value) {
    return new IntValue(value);
  }

  /** A float attribute; TensorFlow stores 32-bit floats, so the value is rounded to float. */
  static AttrValue of(double value) {
    return new FloatValue((float) value);
  }

  static AttrValue of(boolean value) {
    return new BoolValue(value);
  }

  static AttrValue of(String value) {
    return new StringValue(value);
  }

  static AttrValue of(DType value) {
    return new TypeValue(value);
  }

  static AttrValue of(Shape value) {
    return new ShapeValue(value);
  }

  static AttrValue of(long... values) {
    return new IntListValue(values);
  }

  static AttrValue of(Tensor value) {
    return new TensorValue(value);
  }

  /** A list(type) attribute (IdentityN's {@code T}: one type per tensor of a list argument). */
  static AttrValue ofTypes(List<DType> values) {
    return new TypeListValue(values);
  }

  /** An int attribute. */
  record IntValue(long value) implements AttrValue {
    @Override
    public AttrType type() {
      return AttrType.INT;
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /** A float attribute (32-bit, as in TensorFlow). */
  record FloatValue(float value) implements AttrValue {
    @Override
    public AttrType type() {
      return AttrType.FLOAT;
    }

    @Override
    public String toString() {
      return Float.toString(value);
    }
  }

  /** A bool attribute. */
  record BoolValue(boolean value) implements AttrValue {
    @Override
    public AttrType type() {
      return AttrType.BOOL;
    }

    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /** A string attribute. */
  record StringValue(String value) implements AttrValue {
    public StringValue {
      if (value == null) {
        throw new IllegalArgumentException("string attribute value is null");
      }
    }

    @Override
    public AttrType type() {
      return AttrType.STRING;
    }

    @Override
    public String toString() {
      return '"' + value + '"';
    }
  }

  /** A type attribute. */
  record TypeValue(DType value) implements AttrValue {
    public TypeValue {
      if (value == null) {
        throw new IllegalArgumentException("type attribute value is null");
      }
    }

    @Override
    public AttrType type() {
      return AttrType.TYPE;
    }

    @Override
    public String toString() {
      return value.name();
    }
  }

  /**
   * A shape attribute; {@code shape} is null when even the rank is unknown (TensorFlow's {@code
   * unknown_rank}).
   */
  record ShapeValue(Shape shape) implements AttrValue {
    /** The shape of unknown rank. */
    public static ShapeValue unknownRank() {
      return new ShapeValue(null);
    }

    public boolean hasKnownRank() {
      return shape != null;
    }

    @Override
    public AttrType type() {
      return AttrType.SHAPE;
    }

    @Override
    public String toString() {
      return shape == null ? "<unknown rank>" : shape.toString();
    }
  }

  /** A list(int) attribute. */
  record IntListValue(long[] values) implements AttrValue {
    public IntListValue {
      values = values.clone();
    }

    @Override
    public long[] values() {
      return values.clone();
    }

    /** Element {@code i}. */
    public long get(int i) {
      return values[i];
    }

    public int size() {
      return values.length;
    }

    @Override
    public AttrType type() {
      return AttrType.LIST_INT;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntListValue v && Arrays.equals(values, v.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return Arrays.toString(values);
    }
  }

  /** A list(type) attribute. */
  record TypeListValue(List<DType> values) implements AttrValue {
    public TypeListValue {
      for (DType t : values) {
        if (t == null) {
          throw new IllegalArgumentException("list(type) attribute holds a null type: " + values);
        }
      }
      values = List.copyOf(values);
    }

    @Override
    public AttrType type() {
      return AttrType.LIST_TYPE;
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }

  /**
   * A tensor attribute (a {@code Const}'s value). The tensor is copied in; {@link #value()} returns
   * the held tensor, which callers must not modify (use {@link #copy()} for a private one).
   */
  record TensorValue(Tensor value) implements AttrValue {
    public TensorValue {
      value = value.copy();
    }

    /** A private copy of the tensor. */
    public Tensor copy() {
      return value.copy();
    }

    @Override
    public AttrType type() {
      return AttrType.TENSOR;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TensorValue v && TensorKey.of(value).equals(TensorKey.of(v.value));
    }

    @Override
    public int hashCode() {
      return TensorKey.of(value).hashCode();
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }
}
