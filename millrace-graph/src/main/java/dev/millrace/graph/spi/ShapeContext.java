package dev.millrace.graph.spi;

import dev.millrace.graph.AttrValue;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Optional;

/**
 * What a shape function sees of the operation being built: its inputs' static types and shapes, the
 * values of constant inputs, and its attributes (defaults filled in).
 */
public interface ShapeContext {
  String opType();

  String opName();

  int numInputs();

  /** The static shape of input {@code i} (its rank is known; unknown dimensions are -1). */
  Shape inputShape(int i);

  DType inputType(int i);

  /** The value of input {@code i} if a constant produces it, so that shapes can depend on it. */
  Optional<Tensor> constantInput(int i);

  AttrValue attr(String name);

  /** The attribute {@code name}, or empty when the op has none of that name. */
  Optional<AttrValue> findAttr(String name);

  long attrInt(String name);

  double attrFloat(String name);

  boolean attrBool(String name);

  String attrString(String name);

  DType attrType(String name);

  long[] attrInts(String name);

  /** A shape attribute; null when its rank is unknown. */
  Shape attrShape(String name);

  /**
   * An IllegalArgumentException whose message is prefixed with the op's type and name ({@code
   * Conv2D 'conv1': ...}), to throw from a shape function.
   */
  IllegalArgumentException error(String message);
}
