package dev.millrace.graph.internal;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@link ShapeContext} of an operation being built. */
final class ShapeContextImpl implements ShapeContext {
  private final String type;
  private final String name;
  private final List<Output<?>> inputs;
  private final Map<String, AttrValue> attrs;

  ShapeContextImpl(String type, String name, List<Output<?>> inputs, Map<String, AttrValue> attrs) {
    this.type = type;
    this.name = name;
    this.inputs = inputs;
    this.attrs = attrs;
  }

  @Override
  public String opType() {
    return type;
  }

  @Override
  public String opName() {
    return name;
  }

  @Override
  public int numInputs() {
    return inputs.size();
  }

  @Override
  public Shape inputShape(int i) {
    return inputs.get(i).shape();
  }

  @Override
  public DType inputType(int i) {
    return inputs.get(i).dtype();
  }

  @Override
  public Optional<Tensor> constantInput(int i) {
    return Consts.valueOf(inputs.get(i));
  }

  @Override
  public AttrValue attr(String attrName) {
    AttrValue v = attrs.get(attrName);
    if (v == null) {
      throw error("has no attribute '" + attrName + "'");
    }
    return v;
  }

  @Override
  public Optional<AttrValue> findAttr(String attrName) {
    return Optional.ofNullable(attrs.get(attrName));
  }

  @Override
  public long attrInt(String attrName) {
    return ((AttrValue.IntValue) attr(attrName)).value();
  }

  @Override
  public double attrFloat(String attrName) {
    return ((AttrValue.FloatValue) attr(attrName)).value();
  }

  @Override
  public boolean attrBool(String attrName) {
    return ((AttrValue.BoolValue) attr(attrName)).value();
  }

  @Override
  public String attrString(String attrName) {
    return ((AttrValue.StringValue) attr(attrName)).value();
  }

  @Override
  public DType attrType(String attrName) {
    return ((AttrValue.TypeValue) attr(attrName)).value();
  }

  @Override
  public long[] attrInts(String attrName) {
    return ((AttrValue.IntListValue) attr(attrName)).values();
  }

  @Override
  public Shape attrShape(String attrName) {
    return ((AttrValue.ShapeValue) attr(attrName)).shape();
  }

  @Override
  public IllegalArgumentException error(String message) {
    return new IllegalArgumentException(type + " '" + name + "': " + message);
  }
}
