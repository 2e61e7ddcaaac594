package dev.millrace.graph.spi;

import dev.millrace.tensor.DType;

/**
 * One input or output argument of an op, as in TensorFlow's {@code OpDef.ArgDef}: its type is a
 * type attribute ({@code T}), fixed, or a list of types ({@code typeListAttr}, one per tensor); a
 * list argument holds {@code numberAttr} tensors of one type, or one tensor per entry of its type
 * list; a ref input takes a variable's storage.
 *
 * @param name argument name ({@code input}, {@code filter}, ...)
 * @param typeAttr the type attribute that gives this argument's type, or null
 * @param fixedType the fixed type, or null
 * @param numberAttr the int attribute counting a list argument's tensors, or null
 * @param typeListAttr the list(type) attribute giving each tensor's type (IdentityN's {@code T}),
 *     or null
 * @param isRef true if the argument must be a variable ({@code VariableV2}) output
 */
public record ArgDef(
    String name,
    String typeAttr,
    DType fixedType,
    String numberAttr,
    String typeListAttr,
    boolean isRef) {
  public ArgDef {
    int given = (typeAttr != null ? 1 : 0) + (fixedType != null ? 1 : 0);
    given += typeListAttr != null ? 1 : 0;
    if (given != 1) {
      throw new IllegalArgumentException(
          "argument '"
              + name
              + "' needs exactly one of a type attribute, a fixed type and a type list");
    }
    if (typeListAttr != null && numberAttr != null) {
      throw new IllegalArgumentException(
          "argument '"
              + name
              + "': a type list gives its own length, it takes no number attribute");
    }
  }

  /** An argument of one tensor or of {@code numberAttr} tensors of one type. */
  public ArgDef(String name, String typeAttr, DType fixedType, String numberAttr, boolean isRef) {
    this(name, typeAttr, fixedType, numberAttr, null, isRef);
  }

  /** True for an argument of several tensors: counted by a number or by a type list. */
  public boolean isList() {
    return numberAttr != null || typeListAttr != null;
  }

  /** The attribute that says how many tensors a list argument holds (N, or the type list T). */
  public String lengthAttr() {
    return typeListAttr != null ? typeListAttr : numberAttr;
  }
}
