package dev.millrace.graph;

import dev.millrace.graph.spi.ArgDef;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.types.DataType;
import dev.millrace.graph.types.TType;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node of a {@link Graph}: an op type from the {@link OpRegistry}, a unique name, data inputs,
 * control inputs (operations that must run first), a device hint and typed attributes (defaults
 * filled in). Immutable once added; its outputs' types and shapes were inferred when it was built.
 */
public final class Operation {
  private final Graph graph;
  private final int index;
  private final String name;
  private final OpDef def;
  private final List<Output<?>> inputs;
  private final List<Operation> controlInputs;
  private final String device;
  private final Map<String, AttrValue> attrs;
  private final DType[] outputTypes;
  private final Shape[] outputShapes;
  private final List<Output<?>> outputs;

  Operation(
      Graph graph,
      int index,
      String name,
      OpDef def,
      List<Output<?>> inputs,
      List<Operation> controlInputs,
      String device,
      Map<String, AttrValue> attrs,
      List<DType> outputTypes,
      List<Shape> outputShapes) {
    this.graph = graph;
    this.index = index;
    this.name = name;
    this.def = def;
    this.inputs = List.copyOf(inputs);
    this.controlInputs = List.copyOf(controlInputs);
    this.device = device;
    this.attrs = attrs;
    this.outputTypes = outputTypes.toArray(DType[]::new);
    this.outputShapes = outputShapes.toArray(Shape[]::new);
    List<Output<?>> outs = new ArrayList<>(this.outputTypes.length);
    for (int i = 0; i < this.outputTypes.length; i++) {
      outs.add(new Output<>(this, i));
    }
    this.outputs = List.copyOf(outs);
  }

  public Graph graph() {
    return graph;
  }

  /** Position in the graph: every input and control input of an operation has a lower index. */
  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  /** TensorFlow's op type name ({@code Conv2D}). */
  public String type() {
    return def.type();
  }

  public OpDef def() {
    return def;
  }

  /** The device hint ({@code ""} when none); the CPU session ignores it. */
  public String device() {
    return device;
  }

  public List<Output<?>> inputs() {
    return inputs;
  }

  public Output<?> input(int i) {
    return inputs.get(i);
  }

  public int numInputs() {
    return inputs.size();
  }

  public List<Operation> controlInputs() {
    return controlInputs;
  }

  /** Every attribute, defaults included, sorted by name. */
  public Map<String, AttrValue> attributes() {
    return attrs;
  }

  public Optional<AttrValue> findAttr(String attrName) {
    return Optional.ofNullable(attrs.get(attrName));
  }

  /** Attribute {@code attrName}; fails naming the op if it has none. */
  public AttrValue attr(String attrName) {
    AttrValue v = attrs.get(attrName);
    if (v == null) {
      throw new IllegalArgumentException(
          this + " has no attribute '" + attrName + "' (has " + attrs.keySet() + ")");
    }
    return v;
  }

  public long attrInt(String attrName) {
    return as(attrName, AttrValue.IntValue.class).value();
  }

  public double attrFloat(String attrName) {
    return as(attrName, AttrValue.FloatValue.class).value();
  }

  public boolean attrBool(String attrName) {
    return as(attrName, AttrValue.BoolValue.class).value();
  }

  public String attrString(String attrName) {
    return as(attrName, AttrValue.StringValue.class).value();
  }

  public DType attrType(String attrName) {
    return as(attrName, AttrValue.TypeValue.class).value();
  }

  /** A shape attribute; null when its rank is unknown. */
  public Shape attrShape(String attrName) {
    return as(attrName, AttrValue.ShapeValue.class).shape();
  }

  public long[] attrInts(String attrName) {
    return as(attrName, AttrValue.IntListValue.class).values();
  }

  /** A list(type) attribute. */
  public List<DType> attrTypes(String attrName) {
    return as(attrName, AttrValue.TypeListValue.class).values();
  }

  /** How many tensors argument {@code arg} of this op's definition holds here. */
  public int count(ArgDef arg) {
    if (arg.typeListAttr() != null) {
      return attrTypes(arg.typeListAttr()).size();
    }
    return arg.numberAttr() != null ? Math.toIntExact(attrInt(arg.numberAttr())) : 1;
  }

  /** A tensor attribute; the returned tensor is shared and must not be modified. */
  public Tensor attrTensor(String attrName) {
    return as(attrName, AttrValue.TensorValue.class).value();
  }

  private <A extends AttrValue> A as(String attrName, Class<A> kind) {
    AttrValue v = attr(attrName);
    if (!kind.isInstance(v)) {
      throw new IllegalArgumentException(
          this + ": attribute '" + attrName + "' is a " + v.type() + " (" + v + ")");
    }
    return kind.cast(v);
  }

  public int numOutputs() {
    return outputs.size();
  }

  public List<Output<?>> outputs() {
    return outputs;
  }

  public Output<?> output(int i) {
    if (i < 0 || i >= outputs.size()) {
      throw new IndexOutOfBoundsException(
          this + " has " + outputs.size() + " outputs, asked for output " + i);
    }
    return outputs.get(i);
  }

  /** Output {@code i} typed as {@code type}; fails naming both types if it has another. */
  public <T extends TType> Output<T> output(int i, DataType<T> type) {
    return output(i).expect(type);
  }

  public DType outputType(int i) {
    return outputTypes[i];
  }

  /** Static shape of output {@code i}; fails if its rank is unknown. */
  public Shape outputShape(int i) {
    Shape s = outputShapes[i];
    if (s == null) {
      throw new IllegalStateException("output " + name + ":" + i + " has unknown rank");
    }
    return s;
  }

  public boolean outputRankKnown(int i) {
    return outputShapes[i] != null;
  }

  /** Whether the registry gives this op's type {@code trait}. */
  public boolean hasTrait(OpTrait trait) {
    return def.traits().contains(trait);
  }

  /** {@code Conv2D 'conv1'}: the type and name, as error messages cite operations. */
  @Override
  public String toString() {
    return def.type() + " '" + name + "'";
  }
}
