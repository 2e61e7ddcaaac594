package dev.millrace.graph;

import dev.millrace.graph.types.Bool;
import dev.millrace.graph.types.DataType;
import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Float64;
import dev.millrace.graph.types.Int32;
import dev.millrace.graph.types.Int64;
import dev.millrace.graph.types.TFloating;
import dev.millrace.graph.types.TNumber;
import dev.millrace.graph.types.TType;
import dev.millrace.graph.types.Types;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Builds operations into a graph: {@code Ops tf = Ops.on(graph)}, then {@code tf.add(a, b)}, {@code
 * tf.nn.conv2d(...)}. An {@code Ops} carries a scope: a name prefix ({@link #withSubScope}), the
 * name of the next operation ({@link #withName}), control dependencies and a device hint. It is
 * immutable; the {@code with*} methods return new ones.
 *
 * <p>Shapes are checked as each operation is built; an error names the op and the shapes involved.
 * Arithmetic broadcasts with NumPy's rules. {@link #constant} de-duplicates: the same value (type,
 * shape and bytes) twice in one graph yields the same node, as TensorFlow's advice to convert a
 * constant to a tensor once.
 */
public final class Ops {
  /** Neural-network operations: convolution, pooling, normalisation, activations, losses. */
  public final NnOps nn;

  private final Graph graph;
  private final String prefix;
  private final String nextName;
  private final List<Operation> controlDependencies;
  private final String device;

  private Ops(
      Graph graph,
      String prefix,
      String nextName,
      List<Operation> controlDependencies,
      String device) {
    this.graph = graph;
    this.prefix = prefix;
    this.nextName = nextName;
    this.controlDependencies = List.copyOf(controlDependencies);
    this.device = device;
    this.nn = new NnOps(this);
  }

  /** Operations added to {@code graph}, at its root scope. */
  public static Ops on(Graph graph) {
    return new Ops(graph, "", null, List.of(), "");
  }

  public Graph graph() {
    return graph;
  }

  /** The name prefix of this scope ({@code ""} or {@code block1/conv/}). */
  public String scopePrefix() {
    return prefix;
  }

  /**
   * Names the next operation built with the returned {@code Ops} exactly {@code name} (under this
   * scope's prefix); building fails if the name is taken.
   */
  public Ops withName(String name) {
    return new Ops(graph, prefix, name, controlDependencies, device);
  }

  /**
   * A nested scope: names get the prefix {@code name/}. Scope names are made unique ({@code dense},
   * {@code dense_1}, ...), as TensorFlow's name scopes are.
   */
  public Ops withSubScope(String name) {
    String scope = graph.uniqueName(prefix + name);
    return new Ops(graph, scope + "/", null, controlDependencies, device);
  }

  /** Operations built with the returned {@code Ops} run only after {@code ops}. */
  public Ops withControlDependencies(Collection<Operation> ops) {
    List<Operation> all = new ArrayList<>(controlDependencies);
    for (Operation op : ops) {
      if (!all.contains(op)) {
        all.add(op);
      }
    }
    return new Ops(graph, prefix, nextName, all, device);
  }

  /** A device hint recorded on each operation ({@code /cpu:0}); the CPU session ignores it. */
  public Ops withDevice(String deviceHint) {
    return new Ops(graph, prefix, nextName, controlDependencies, deviceHint);
  }

  /**
   * This scope without the next op's name and control dependencies: for the constants a method adds
   * as inputs (axes, shapes), so that {@code withName} names the method's main operation.
   */
  Ops helper() {
    return nextName == null && controlDependencies.isEmpty()
        ? this
        : new Ops(graph, prefix, null, List.of(), device);
  }

  // ---- the generic path: every typed method below ends here ----

  /**
   * Adds an operation of any registered type in this scope (named by {@link #withName} or after its
   * type), with this scope's control dependencies and device.
   */
  public Operation op(
      String type, List<? extends Operand<?>> inputs, Map<String, AttrValue> attrs) {
    Graph.OperationBuilder b = opBuilder(type);
    for (Operand<?> in : inputs) {
      b.addInput(in);
    }
    attrs.forEach(b::setAttr);
    return b.build();
  }

  /** A builder for an operation in this scope (for control inputs or a non-trainable variable). */
  public Graph.OperationBuilder opBuilder(String type) {
    graph.requireOpen();
    String name;
    if (nextName != null) {
      name = prefix + nextName;
      if (graph.isNameTaken(name)) {
        throw new IllegalArgumentException(
            type + " '" + name + "': an operation named '" + name + "' already exists");
      }
      graph.uniqueName(name);
    } else {
      name = graph.uniqueName(prefix + type);
    }
    Graph.OperationBuilder b = graph.opBuilder(type, name).setDevice(device);
    for (Operation c : controlDependencies) {
      b.addControlInput(c);
    }
    return b;
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> Output<T> typed(Output<?> out) {
    return (Output<T>) out;
  }

  private <T extends TType> Output<T> op1(String type, Operand<?> x, Map<String, AttrValue> a) {
    return typed(op(type, List.of(x), a).output(0));
  }

  private <T extends TType> Output<T> op2(
      String type, Operand<?> x, Operand<?> y, Map<String, AttrValue> a) {
    return typed(op(type, List.of(x, y), a).output(0));
  }

  // ---- constants, placeholders, variables ----

  /**
   * A constant holding a copy of {@code value}. Without an explicit name or control dependencies, a
   * value already in the graph (same type, shape and bytes) returns the existing node.
   */
  @BuildsOp("Const")
  public Output<?> constant(Tensor value) {
    boolean shareable = nextName == null && controlDependencies.isEmpty();
    TensorKey key = shareable ? TensorKey.of(value) : null;
    if (shareable) {
      Operation existing = graph.findConstant(key);
      if (existing != null) {
        return existing.output(0);
      }
    }
    Operation op =
        op(
            "Const",
            List.of(),
            Map.of("value", AttrValue.of(value), "dtype", AttrValue.of(value.dtype())));
    if (shareable) {
      graph.rememberConstant(key, op);
    }
    return op.output(0);
  }

  /** A constant of {@code type}; fails naming both types if {@code value} has another. */
  @BuildsOp("Const")
  public <T extends TType> Output<T> constant(DataType<T> type, Tensor value) {
    return constant(value.requireType(type.dtype())).expect(type);
  }

  @BuildsOp("Const")
  public Output<Float32> constant(float value) {
    return constant(Types.FLOAT32, Tensor.scalar(value));
  }

  @BuildsOp("Const")
  public Output<Float64> constant(double value) {
    return constant(Types.FLOAT64, Tensor.ofDoubles(Shape.scalar(), value));
  }

  @BuildsOp("Const")
  public Output<Int32> constant(int value) {
    return constant(Types.INT32, Tensor.ofInts(Shape.scalar(), value));
  }

  @BuildsOp("Const")
  public Output<Int64> constant(long value) {
    return constant(Types.INT64, Tensor.ofLongs(Shape.scalar(), value));
  }

  @BuildsOp("Const")
  public Output<Bool> constant(boolean value) {
    return constant(Types.BOOL, Tensor.ofBytes(DType.BOOL, Shape.scalar(), (byte) (value ? 1 : 0)));
  }

  /** A vector constant. */
  @BuildsOp("Const")
  public Output<Float32> constant(float[] values) {
    return constant(Types.FLOAT32, Tensor.ofFloats(Shape.of(values.length), values));
  }

  @BuildsOp("Const")
  public Output<Float64> constant(double[] values) {
    return constant(Types.FLOAT64, Tensor.ofDoubles(Shape.of(values.length), values));
  }

  @BuildsOp("Const")
  public Output<Int32> constant(int[] values) {
    return constant(Types.INT32, Tensor.ofInts(Shape.of(values.length), values));
  }

  @BuildsOp("Const")
  public Output<Int64> constant(long[] values) {
    return constant(Types.INT64, Tensor.ofLongs(Shape.of(values.length), values));
  }

  @BuildsOp("Const")
  public Output<Float32> constant(Shape shape, float... values) {
    return constant(Types.FLOAT32, Tensor.ofFloats(shape, values));
  }

  @BuildsOp("Const")
  public Output<Float64> constant(Shape shape, double... values) {
    return constant(Types.FLOAT64, Tensor.ofDoubles(shape, values));
  }

  /** A placeholder to feed, of the given type and shape (-1 for unknown dimensions). */
  @BuildsOp("Placeholder")
  public <T extends TType> Output<T> placeholder(DataType<T> type, Shape shape) {
    return typed(
        op(
                "Placeholder",
                List.of(),
                Map.of("dtype", AttrValue.of(type.dtype()), "shape", AttrValue.of(shape)))
            .output(0));
  }

  /** A placeholder of unknown rank. */
  @BuildsOp("Placeholder")
  public <T extends TType> Output<T> placeholder(DataType<T> type) {
    return typed(
        op(
                "Placeholder",
                List.of(),
                Map.of(
                    "dtype",
                    AttrValue.of(type.dtype()),
                    "shape",
                    AttrValue.ShapeValue.unknownRank()))
            .output(0));
  }

  /** A trainable variable initialised by {@code init}. */
  @BuildsOp("VariableV2")
  public <T extends TType> Variable<T> variable(DataType<T> type, Shape shape, Initializer init) {
    return variable(type, shape, init, true);
  }

  /**
   * A variable named by {@link #withName} (or {@code Variable}); its initial value is built under
   * {@code <name>/Initializer/} and assigned by {@code <name>/Assign}. Sessions run the initializer
   * before the variable is first read.
   */
  @BuildsOp("VariableV2")
  public <T extends TType> Variable<T> variable(
      DataType<T> type, Shape shape, Initializer init, boolean trainable) {
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException(
          "VariableV2: shape " + shape + " must be fully defined to initialise it");
    }
    Variable<T> v = variableOp(type.dtype(), shape, trainable);
    Ops initScope = new Ops(graph, v.name() + "/Initializer/", null, List.of(), device);
    Output<?> value = init.build(initScope, type.dtype(), shape);
    attachInitializer(v, value);
    return v;
  }

  /** A trainable variable whose initial value is {@code initialValue} (fully defined shape). */
  @BuildsOp("VariableV2")
  public <T extends TType> Variable<T> variable(Operand<T> initialValue) {
    return variable(initialValue, true);
  }

  @BuildsOp("VariableV2")
  public <T extends TType> Variable<T> variable(Operand<T> initialValue, boolean trainable) {
    Variable<T> v = variableOp(initialValue.dtype(), initialValue.shape(), trainable);
    attachInitializer(v, initialValue.asOutput());
    return v;
  }

  @SuppressWarnings("unchecked")
  private <T extends TType> Variable<T> variableOp(DType dtype, Shape shape, boolean trainable) {
    Operation op =
        opBuilder("VariableV2")
            .setAttr("dtype", dtype)
            .setAttr("shape", shape)
            .setTrainable(trainable)
            .build();
    return (Variable<T>) graph.variable(op).orElseThrow();
  }

  private void attachInitializer(Variable<?> v, Output<?> value) {
    Operation assign =
        graph
            .opBuilder("Assign", graph.uniqueName(v.name() + "/Assign"))
            .addInput(v)
            .addInput(value)
            .setDevice(device)
            .build();
    v.setInitializer(assign);
  }

  /** Assigns {@code value} to the variable; the output is the variable's new value. */
  @BuildsOp("Assign")
  public <T extends TType> Output<T> assign(Variable<T> variable, Operand<T> value) {
    return op2("Assign", variable, value, Map.of());
  }

  @BuildsOp("AssignAdd")
  public <T extends TNumber> Output<T> assignAdd(Variable<T> variable, Operand<T> value) {
    return op2("AssignAdd", variable, value, Map.of());
  }

  @BuildsOp("AssignSub")
  public <T extends TNumber> Output<T> assignSub(Variable<T> variable, Operand<T> value) {
    return op2("AssignSub", variable, value, Map.of());
  }

  /** An operation that does nothing (useful with control dependencies). */
  @BuildsOp("NoOp")
  public Operation noOp() {
    return op("NoOp", List.of(), Map.of());
  }

  /** A {@code NoOp} that runs after every one of {@code ops}: running it runs them all. */
  @BuildsOp("NoOp")
  public Operation group(Collection<Operation> ops) {
    return withControlDependencies(ops).noOp();
  }

  // ---- arithmetic (broadcasting) ----

  @BuildsOp("AddV2")
  public <T extends TNumber> Output<T> add(Operand<T> x, Operand<T> y) {
    return op2("AddV2", x, y, Map.of());
  }

  @BuildsOp("Sub")
  public <T extends TNumber> Output<T> sub(Operand<T> x, Operand<T> y) {
    return op2("Sub", x, y, Map.of());
  }

  @BuildsOp("Mul")
  public <T extends TNumber> Output<T> mul(Operand<T> x, Operand<T> y) {
    return op2("Mul", x, y, Map.of());
  }

  /** {@code x / y} (TensorFlow's RealDiv). */
  @BuildsOp("RealDiv")
  public <T extends TNumber> Output<T> div(Operand<T> x, Operand<T> y) {
    return op2("RealDiv", x, y, Map.of());
  }

  @BuildsOp("Maximum")
  public <T extends TNumber> Output<T> maximum(Operand<T> x, Operand<T> y) {
    return op2("Maximum", x, y, Map.of());
  }

  @BuildsOp("Minimum")
  public <T extends TNumber> Output<T> minimum(Operand<T> x, Operand<T> y) {
    return op2("Minimum", x, y, Map.of());
  }

  /** {@code (x - y)^2}. */
  @BuildsOp("SquaredDifference")
  public <T extends TNumber> Output<T> squaredDifference(Operand<T> x, Operand<T> y) {
    return op2("SquaredDifference", x, y, Map.of());
  }

  @BuildsOp("Pow")
  public <T extends TFloating> Output<T> pow(Operand<T> x, Operand<T> y) {
    return op2("Pow", x, y, Map.of());
  }

  /** The sum of same-shaped tensors. */
  @BuildsOp("AddN")
  public <T extends TNumber> Output<T> addN(List<? extends Operand<T>> inputs) {
    return typed(op("AddN", inputs, Map.of()).output(0));
  }

  @BuildsOp("Neg")
  public <T extends TNumber> Output<T> neg(Operand<T> x) {
    return op1("Neg", x, Map.of());
  }

  @BuildsOp("Abs")
  public <T extends TNumber> Output<T> abs(Operand<T> x) {
    return op1("Abs", x, Map.of());
  }

  @BuildsOp("Square")
  public <T extends TNumber> Output<T> square(Operand<T> x) {
    return op1("Square", x, Map.of());
  }

  @BuildsOp("Sqrt")
  public <T extends TFloating> Output<T> sqrt(Operand<T> x) {
    return op1("Sqrt", x, Map.of());
  }

  /** {@code 1 / sqrt(x)}. */
  @BuildsOp("Rsqrt")
  public <T extends TFloating> Output<T> rsqrt(Operand<T> x) {
    return op1("Rsqrt", x, Map.of());
  }

  @BuildsOp("Exp")
  public <T extends TFloating> Output<T> exp(Operand<T> x) {
    return op1("Exp", x, Map.of());
  }

  @BuildsOp("Log")
  public <T extends TFloating> Output<T> log(Operand<T> x) {
    return op1("Log", x, Map.of());
  }

  @BuildsOp("Reciprocal")
  public <T extends TFloating> Output<T> reciprocal(Operand<T> x) {
    return op1("Reciprocal", x, Map.of());
  }

  @BuildsOp("Floor")
  public <T extends TFloating> Output<T> floor(Operand<T> x) {
    return op1("Floor", x, Map.of());
  }

  @BuildsOp("Cos")
  public <T extends TFloating> Output<T> cos(Operand<T> x) {
    return op1("Cos", x, Map.of());
  }

  @BuildsOp("Sigmoid")
  public <T extends TFloating> Output<T> sigmoid(Operand<T> x) {
    return op1("Sigmoid", x, Map.of());
  }

  @BuildsOp("Tanh")
  public <T extends TFloating> Output<T> tanh(Operand<T> x) {
    return op1("Tanh", x, Map.of());
  }

  /** {@code op(a) · op(b)} for matrices. */
  @BuildsOp("MatMul")
  public <T extends TNumber> Output<T> matmul(Operand<T> a, Operand<T> b) {
    return matmul(a, b, false, false);
  }

  @BuildsOp("MatMul")
  public <T extends TNumber> Output<T> matmul(
      Operand<T> a, Operand<T> b, boolean transposeA, boolean transposeB) {
    return op2(
        "MatMul",
        a,
        b,
        Map.of("transpose_a", AttrValue.of(transposeA), "transpose_b", AttrValue.of(transposeB)));
  }

  // ---- reductions (no axes: over every axis) ----

  @BuildsOp("Sum")
  public <T extends TNumber> Output<T> sum(Operand<T> x, int... axes) {
    return reduce("Sum", x, axes, false);
  }

  @BuildsOp("Sum")
  public <T extends TNumber> Output<T> sum(Operand<T> x, int[] axes, boolean keepDims) {
    return reduce("Sum", x, axes, keepDims);
  }

  @BuildsOp("Mean")
  public <T extends TNumber> Output<T> mean(Operand<T> x, int... axes) {
    return reduce("Mean", x, axes, false);
  }

  @BuildsOp("Mean")
  public <T extends TNumber> Output<T> mean(Operand<T> x, int[] axes, boolean keepDims) {
    return reduce("Mean", x, axes, keepDims);
  }

  @BuildsOp("Max")
  public <T extends TNumber> Output<T> max(Operand<T> x, int... axes) {
    return reduce("Max", x, axes, false);
  }

  @BuildsOp("Max")
  public <T extends TNumber> Output<T> max(Operand<T> x, int[] axes, boolean keepDims) {
    return reduce("Max", x, axes, keepDims);
  }

  @BuildsOp("Min")
  public <T extends TNumber> Output<T> min(Operand<T> x, int[] axes, boolean keepDims) {
    return reduce("Min", x, axes, keepDims);
  }

  /** The product over {@code axes}. */
  @BuildsOp("Prod")
  public <T extends TNumber> Output<T> prod(Operand<T> x, int[] axes, boolean keepDims) {
    return reduce("Prod", x, axes, keepDims);
  }

  private <T extends TNumber> Output<T> reduce(
      String type, Operand<T> x, int[] axes, boolean keepDims) {
    int[] a = axes;
    if (a.length == 0) {
      // TensorFlow's Sum with empty reduction_indices reduces nothing; reduce_sum(x) passes every
      // axis, and so do we.
      int rank = x.shape().rank();
      a = new int[rank];
      for (int i = 0; i < rank; i++) {
        a[i] = i;
      }
    }
    return op2(type, x, helper().constant(a), Map.of("keep_dims", AttrValue.of(keepDims)));
  }

  /** Index of the largest element along {@code axis}. */
  @BuildsOp("ArgMax")
  public Output<Int64> argmax(Operand<? extends TNumber> x, int axis) {
    return op2("ArgMax", x, helper().constant(axis), Map.of());
  }

  /** Elementwise equality with broadcasting. */
  @BuildsOp("Equal")
  public <T extends TType> Output<Bool> equal(Operand<T> x, Operand<T> y) {
    return op2("Equal", x, y, Map.of());
  }

  // ---- shapes and layout ----

  @BuildsOp("Identity")
  public <T extends TType> Output<T> identity(Operand<T> x) {
    return op1("Identity", x, Map.of());
  }

  /** {@code x} itself, through which no gradient flows. */
  @BuildsOp("StopGradient")
  public <T extends TType> Output<T> stopGradient(Operand<T> x) {
    return op1("StopGradient", x, Map.of());
  }

  /** {@code x} itself if every element is finite; a run fails with {@code message} otherwise. */
  @BuildsOp("CheckNumerics")
  public <T extends TFloating> Output<T> checkNumerics(Operand<T> x, String message) {
    return op1("CheckNumerics", x, Map.of("message", AttrValue.of(message)));
  }

  /** {@code x} with another shape of as many elements; one dimension may be -1 (inferred). */
  @BuildsOp("Reshape")
  public <T extends TType> Output<T> reshape(Operand<T> x, long... shape) {
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = Math.toIntExact(shape[i]);
    }
    return op2("Reshape", x, helper().constant(dims), Map.of());
  }

  /** {@code x} reshaped to the runtime value of {@code shape} (an int32 vector). */
  @BuildsOp("Reshape")
  public <T extends TType> Output<T> reshape(Operand<T> x, Operand<Int32> shape) {
    return op2("Reshape", x, shape, Map.of());
  }

  /** Output axis {@code i} is input axis {@code perm[i]}. */
  @BuildsOp("Transpose")
  public <T extends TType> Output<T> transpose(Operand<T> x, int... perm) {
    return op2("Transpose", x, helper().constant(perm), Map.of());
  }

  @BuildsOp("ConcatV2")
  public <T extends TType> Output<T> concat(List<? extends Operand<T>> values, int axis) {
    List<Operand<?>> in = new ArrayList<>(values);
    in.add(helper().constant(axis));
    return typed(op("ConcatV2", in, Map.of()).output(0));
  }

  /** Pads with zeros: {@code paddings[axis] = {before, after}}. */
  @BuildsOp("Pad")
  public <T extends TType> Output<T> pad(Operand<T> x, long[][] paddings) {
    int[] flat = new int[paddings.length * 2];
    for (int i = 0; i < paddings.length; i++) {
      if (paddings[i].length != 2) {
        throw new IllegalArgumentException(
            "Pad: paddings[" + i + "] has " + paddings[i].length + " entries (expected 2)");
      }
      flat[2 * i] = Math.toIntExact(paddings[i][0]);
      flat[2 * i + 1] = Math.toIntExact(paddings[i][1]);
    }
    Tensor p = Tensor.ofInts(Shape.of(paddings.length, 2), flat);
    return op2("Pad", x, helper().constant(p), Map.of());
  }

  /** Removes the given size-1 axes (none given: every size-1 axis). */
  @BuildsOp("Squeeze")
  public <T extends TType> Output<T> squeeze(Operand<T> x, int... axes) {
    long[] dims = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      dims[i] = axes[i];
    }
    return op1("Squeeze", x, Map.of("squeeze_dims", AttrValue.of(dims)));
  }

  /** Elementwise conversion to {@code type}. */
  @BuildsOp("Cast")
  public <U extends TType> Output<U> cast(Operand<?> x, DataType<U> type) {
    return op1("Cast", x, Map.of("DstT", AttrValue.of(type.dtype())));
  }

  /** The runtime shape of {@code x} as an int32 vector. */
  @BuildsOp("Shape")
  public Output<Int32> shapeOf(Operand<?> x) {
    return op1("Shape", x, Map.of());
  }

  /** The runtime element count of {@code x} (int32 scalar). */
  @BuildsOp("Size")
  public Output<Int32> size(Operand<?> x) {
    return op1("Size", x, Map.of());
  }

  /** {@code [begin, begin + size)} per axis; a size of -1 runs to the end. */
  @BuildsOp("Slice")
  public <T extends TType> Output<T> slice(Operand<T> x, int[] begin, int[] size) {
    return typed(
        op("Slice", List.of(x, helper().constant(begin), helper().constant(size)), Map.of())
            .output(0));
  }

  /**
   * {@code x[begin:end:strides]} as TensorFlow's {@code tf.strided_slice} reads it: negative bounds
   * count from the end, out-of-range ones are clamped, a negative stride walks backwards, and bit i
   * of each mask applies to entry i ({@code begin_mask} and {@code end_mask} take the whole range,
   * {@code ellipsis_mask} stands for the dimensions the other entries leave, {@code new_axis_mask}
   * adds a dimension of 1, {@code shrink_axis_mask} takes one index and drops its dimension).
   */
  @BuildsOp("StridedSlice")
  public <T extends TType> Output<T> stridedSlice(
      Operand<T> x,
      long[] begin,
      long[] end,
      long[] strides,
      int beginMask,
      int endMask,
      int ellipsisMask,
      int newAxisMask,
      int shrinkAxisMask) {
    Map<String, AttrValue> masks =
        Map.of(
            "begin_mask", AttrValue.of((long) beginMask),
            "end_mask", AttrValue.of((long) endMask),
            "ellipsis_mask", AttrValue.of((long) ellipsisMask),
            "new_axis_mask", AttrValue.of((long) newAxisMask),
            "shrink_axis_mask", AttrValue.of((long) shrinkAxisMask));
    boolean wide = false;
    for (long[] v : List.of(begin, end, strides)) {
      for (long e : v) {
        wide |= e != (int) e;
      }
    }
    List<Operand<?>> in = new ArrayList<>(List.of(x));
    for (long[] v : List.of(begin, end, strides)) {
      in.add(helper().constant(wide ? Tensor.ofLongs(Shape.of(v.length), v) : ints(v)));
    }
    return typed(op("StridedSlice", in, masks).output(0));
  }

  private static Tensor ints(long[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (int) v[i];
    }
    return Tensor.ofInts(Shape.of(v.length), out);
  }

  @BuildsOp("ZerosLike")
  public <T extends TType> Output<T> zerosLike(Operand<T> x) {
    return op1("ZerosLike", x, Map.of());
  }

  @BuildsOp("OnesLike")
  public <T extends TType> Output<T> onesLike(Operand<T> x) {
    return op1("OnesLike", x, Map.of());
  }

  /** A tensor of {@code shape} filled with {@code value}. */
  @BuildsOp(value = "Fill", typeAttr = "T", narrower = true)
  public <T extends TNumber> Output<T> fill(DataType<T> type, Shape shape, double value) {
    return typed(fillRaw(type.dtype(), shape, value));
  }

  // ---- random (seeded, reproducible) ----

  /** Uniform in {@code [0, 1)}; the same seed gives the same values on every run. */
  @BuildsOp("RandomUniform")
  public <T extends TFloating> Output<T> randomUniform(DataType<T> type, Shape shape, long seed) {
    return typed(randomRaw("RandomUniform", type.dtype(), shape, seed));
  }

  /** Standard normal. */
  @BuildsOp("RandomStandardNormal")
  public <T extends TFloating> Output<T> randomNormal(DataType<T> type, Shape shape, long seed) {
    return typed(randomRaw("RandomStandardNormal", type.dtype(), shape, seed));
  }

  /** Standard normal, redrawn outside ±2. */
  @BuildsOp("TruncatedNormal")
  public <T extends TFloating> Output<T> truncatedNormal(DataType<T> type, Shape shape, long seed) {
    return typed(randomRaw("TruncatedNormal", type.dtype(), shape, seed));
  }

  // ---- untyped helpers for initializers and gradients in this package ----

  Output<?> fillRaw(DType dtype, Shape shape, double value) {
    return op(
            "Fill",
            List.of(helper().constant(dimsOf(shape)), helper().scalarRaw(dtype, value)),
            Map.of())
        .output(0);
  }

  Output<?> scalarRaw(DType dtype, double value) {
    Tensor t = Tensor.zeros(dtype, Shape.scalar());
    switch (dtype) {
      case FLOAT32 -> t.setFloat(0, (float) value);
      case FLOAT64 -> t.setDouble(0, value);
      case INT32 -> t.setInt(0, (int) value);
      case INT64 -> t.setLong(0, (long) value);
      default -> t.setByte(0, (byte) value);
    }
    return constant(t);
  }

  Output<?> randomRaw(String type, DType dtype, Shape shape, long seed) {
    return op(
            type,
            List.of(helper().constant(dimsOf(shape))),
            Map.of(
                "dtype",
                AttrValue.of(dtype),
                "seed",
                AttrValue.of(seed),
                "seed2",
                AttrValue.of(0L)))
        .output(0);
  }

  private static int[] dimsOf(Shape shape) {
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException("shape " + shape + " must be fully defined");
    }
    int[] d = new int[shape.rank()];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.toIntExact(shape.dim(i));
    }
    return d;
  }
}
