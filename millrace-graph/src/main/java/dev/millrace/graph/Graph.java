package dev.millrace.graph;

import dev.millrace.graph.internal.OpResolver;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A dataflow graph, TensorFlow's model: operations are nodes, tensors are edges. Operations are
 * added through the {@link OpRegistry}, which checks their inputs and attributes and infers their
 * output types and shapes on the spot, so a shape error is reported where the graph is built.
 *
 * <p>Operations can only consume operations added before them, so {@link #operations()} is always
 * in topological order. Names are unique. Building is thread-safe but meant for one thread;
 * sessions may run a graph while it grows.
 */
public final class Graph implements AutoCloseable {
  // TensorFlow's rule for node names.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/>]*");

  private final OpRegistry registry;
  private final List<Operation> operations = new ArrayList<>();
  private final Map<String, Operation> byName = new HashMap<>();
  private final Map<String, Integer> nameCounters = new HashMap<>();
  private final Map<TensorKey, Operation> constants = new HashMap<>();
  private final List<Variable<?>> variables = new ArrayList<>();
  private final Map<Operation, Variable<?>> variableByOp = new HashMap<>();
  private volatile boolean closed;

  /** A graph over the global registry. */
  public Graph() {
    this(OpRegistry.global());
  }

  public Graph(OpRegistry registry) {
    this.registry = registry;
  }

  public OpRegistry registry() {
    return registry;
  }

  /**
   * Adds an operation of {@code type} named exactly {@code name} (the path a GraphDef importer
   * takes); the inputs are flat, list arguments expanded in order. Fails naming the op when the
   * inputs or attributes do not fit its definition, or when the name is taken.
   */
  public Operation addOperation(
      String type, String name, List<? extends Operand<?>> inputs, Map<String, AttrValue> attrs) {
    OperationBuilder b = opBuilder(type, name);
    for (Operand<?> in : inputs) {
      b.addInput(in);
    }
    attrs.forEach(b::setAttr);
    return b.build();
  }

  /** A builder for an operation with control inputs and a device hint as well. */
  public OperationBuilder opBuilder(String type, String name) {
    return new OperationBuilder(this, type, name);
  }

  /** Every operation, in topological order (inputs before consumers). */
  public synchronized List<Operation> operations() {
    return List.copyOf(operations);
  }

  public synchronized int size() {
    return operations.size();
  }

  public synchronized Optional<Operation> operation(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The operation named {@code name}; fails naming it when absent. */
  public Operation requireOperation(String name) {
    return operation(name)
        .orElseThrow(
            () -> new IllegalArgumentException("no operation named '" + name + "' in the graph"));
  }

  /**
   * The output named {@code op:index} (or {@code op} for output 0), as TensorFlow names tensors.
   */
  public Output<?> output(String tensorName) {
    int colon = tensorName.lastIndexOf(':');
    if (colon > 0) {
      try {
        int index = Integer.parseInt(tensorName.substring(colon + 1));
        return requireOperation(tensorName.substring(0, colon)).output(index);
      } catch (NumberFormatException e) {
        // Not an index suffix: the whole string is an op name.
      }
    }
    return requireOperation(tensorName).output(0);
  }

  /** Every variable, in creation order. */
  public synchronized List<Variable<?>> variables() {
    return List.copyOf(variables);
  }

  /** The variables that optimizers update. */
  public synchronized List<Variable<?>> trainableVariables() {
    return variables.stream().filter(Variable::isTrainable).toList();
  }

  /** The variable whose {@code VariableV2} operation is {@code op}. */
  public synchronized Optional<Variable<?>> variable(Operation op) {
    return Optional.ofNullable(variableByOp.get(op));
  }

  public boolean isClosed() {
    return closed;
  }

  /** Closes the graph; adding operations or opening sessions on it then fails. */
  @Override
  public void close() {
    closed = true;
  }

  // ---- package-private: used by OperationBuilder, Ops and Session ----

  synchronized Operation add(
      String type,
      String name,
      List<Output<?>> inputs,
      List<Operation> controlInputs,
      String device,
      Map<String, AttrValue> attrs,
      boolean trainable) {
    requireOpen();
    OpDef def = registry.get(type);
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          type + ": invalid operation name '" + name + "' (expected " + NAME.pattern() + ")");
    }
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException(
          type + " '" + name + "': an operation named '" + name + "' already exists");
    }
    for (Output<?> in : inputs) {
      requireOwn(in.op(), type, name);
    }
    for (Operation c : controlInputs) {
      requireOwn(c, type, name);
    }
    OpResolver.Resolved r = OpResolver.resolve(def, name, inputs, attrs);
    Operation op =
        new Operation(
            this,
            operations.size(),
            name,
            def,
            inputs,
            controlInputs,
            device == null ? "" : device,
            r.attrs(),
            r.outputTypes(),
            r.outputShapes());
    operations.add(op);
    byName.put(name, op);
    nameCounters.putIfAbsent(name, 0);
    if (op.hasTrait(OpTrait.VARIABLE)) {
      Variable<?> v = new Variable<>(op.output(0), trainable);
      variables.add(v);
      variableByOp.put(op, v);
    }
    return op;
  }

  private void requireOwn(Operation op, String type, String name) {
    if (op.graph() != this) {
      throw new IllegalArgumentException(
          type + " '" + name + "': input " + op + " belongs to another graph");
    }
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the graph is closed");
    }
  }

  /** {@code base}, or {@code base_1}, {@code base_2}, ... whichever is free; reserves it. */
  synchronized String uniqueName(String base) {
    String candidate = base;
    if (nameCounters.containsKey(base)) {
      int n = nameCounters.get(base);
      do {
        n++;
        candidate = base + "_" + n;
      } while (nameCounters.containsKey(candidate) || byName.containsKey(candidate));
      nameCounters.put(base, n);
    }
    nameCounters.putIfAbsent(candidate, 0);
    return candidate;
  }

  synchronized boolean isNameTaken(String name) {
    return byName.containsKey(name);
  }

  synchronized Operation findConstant(TensorKey key) {
    return constants.get(key);
  }

  synchronized void rememberConstant(TensorKey key, Operation op) {
    constants.putIfAbsent(key, op);
  }

  /** Builds one operation; see {@link Graph#opBuilder}. */
  public static final class OperationBuilder {
    private final Graph graph;
    private final String type;
    private final String name;
    private final List<Output<?>> inputs = new ArrayList<>();
    private final List<Operation> controlInputs = new ArrayList<>();
    private final Map<String, AttrValue> attrs = new LinkedHashMap<>();
    private String device = "";
    private boolean trainable = true;

    private OperationBuilder(Graph graph, String type, String name) {
      this.graph = graph;
      this.type = type;
      this.name = name;
    }

    public OperationBuilder addInput(Operand<?> input) {
      inputs.add(input.asOutput());
      return this;
    }

    /** Adds the tensors of a list argument ({@code ConcatV2}'s values), in order. */
    public OperationBuilder addInputList(List<? extends Operand<?>> list) {
      for (Operand<?> in : list) {
        inputs.add(in.asOutput());
      }
      return this;
    }

    public OperationBuilder addControlInput(Operation op) {
      if (!controlInputs.contains(op)) {
        controlInputs.add(op);
      }
      return this;
    }

    public OperationBuilder setDevice(String deviceHint) {
      this.device = deviceHint;
      return this;
    }

    public OperationBuilder setAttr(String attrName, AttrValue value) {
      attrs.put(attrName, value);
      return this;
    }

    public OperationBuilder setAttr(String attrName, long value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, double value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, boolean value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, String value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, DType value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, Shape value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, long[] value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    public OperationBuilder setAttr(String attrName, Tensor value) {
      return setAttr(attrName, AttrValue.of(value));
    }

    /** For a {@code VariableV2}: whether optimizers train it (default true). */
    public OperationBuilder setTrainable(boolean value) {
      this.trainable = value;
      return this;
    }

    public Operation build() {
      return graph.add(type, name, inputs, controlInputs, device, attrs, trainable);
    }
  }
}
