package dev.millrace.graph.spi;

import dev.millrace.tensor.DType;

/**
 * One input or output argument of an op, as in TensorFlow's {@code OpDef.ArgDef}: its type is
 * either a type attribute ({@code T}) or fixed; a list argument holds {@code numberAttr} tensors; a
 * ref input takes a variable's storage.
 *
 * @param name argument name ({@code input}, {@code filter}, ...)
 * @param typeAttr the type attribute that gives this argument's type, or null when fixed
 * @param fixedType the fixed type, or null when given by {@code typeAttr}
 * @param numberAttr the int attribute counting a list argument's tensors, or null for one tensor
 * @param isRef true if the argument must be a variable ({@code VariableV2}) output
 */
public record ArgDef(
    String name, String typeAttr, DType fixedType, String numberAttr, boolean isRef) {
  public ArgDef {
    if ((typeAttr == null) == (fixedType == null)) {
      throw new IllegalArgumentException(
          "argument '" + name + "' needs exactly one of a type attribute and a fixed type");
    }
  }

  public boolean isList() {
    return numberAttr != null;
  }
}
