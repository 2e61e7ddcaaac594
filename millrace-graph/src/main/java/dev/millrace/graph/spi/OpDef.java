package dev.millrace.graph.spi;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpTrait;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The definition of an op type in the registry: TensorFlow's op name, inputs, outputs and
 * attributes (names as in TensorFlow's {@code OpDef}), and Millrace's shape function, kernel
 * bindings, gradient function and traits. Immutable; made with {@link #builder}.
 */
public final class OpDef {
  private final String type;
  private final List<ArgDef> inputs;
  private final List<ArgDef> outputs;
  private final Map<String, AttrDef> attrs;
  private final ShapeFunction shapeFunction;
  private final List<KernelBinding> kernels;
  private final GradientFunction gradient;
  private final Set<OpTrait> traits;
  private final UnaryOp function;
  private final String builtBy;

  private OpDef(Builder b) {
    this.type = b.type;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.attrs = Collections.unmodifiableMap(new LinkedHashMap<>(b.attrs));
    this.shapeFunction = b.shapeFunction;
    this.kernels = List.copyOf(b.kernels);
    this.gradient = b.gradient;
    this.traits = b.traits.isEmpty() ? Set.of() : Collections.unmodifiableSet(b.traits);
    this.function = b.function;
    this.builtBy = b.builtBy;
  }

  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** TensorFlow's op type name ({@code Conv2D}). */
  public String type() {
    return type;
  }

  public List<ArgDef> inputs() {
    return inputs;
  }

  public List<ArgDef> outputs() {
    return outputs;
  }

  /** Attributes in declaration order. */
  public Map<String, AttrDef> attrs() {
    return attrs;
  }

  public ShapeFunction shapeFunction() {
    return shapeFunction;
  }

  public List<KernelBinding> kernels() {
    return kernels;
  }

  /** The first kernel binding that accepts {@code type} and {@code format} (either may be null). */
  public Optional<KernelBinding> kernelFor(DType type, DataFormat format) {
    for (KernelBinding k : kernels) {
      if (k.matches(type, format)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The gradient function; empty for ops that are not differentiable. */
  public Optional<GradientFunction> gradient() {
    return Optional.ofNullable(gradient);
  }

  public Set<OpTrait> traits() {
    return traits;
  }

  /**
   * The elementwise function the op computes of its one input ({@code Relu}: {@link UnaryOp#RELU}),
   * for passes that move it elsewhere (a convolution's epilogue); empty for other ops.
   */
  public Optional<UnaryOp> function() {
    return Optional.ofNullable(function);
  }

  /**
   * Who builds this op when the typed API ({@code Ops}, {@code NnOps}) has no method for it ({@code
   * "optimizers"}); empty for ops of the typed API and for gradient ops, which {@code Gradients}
   * builds.
   */
  public Optional<String> builtBy() {
    return Optional.ofNullable(builtBy);
  }

  @Override
  public String toString() {
    return "OpDef(" + type + ")";
  }

  /** Builds an {@link OpDef}. */
  public static final class Builder {
    private final String type;
    private final List<ArgDef> inputs = new ArrayList<>();
    private final List<ArgDef> outputs = new ArrayList<>();
    private final Map<String, AttrDef> attrs = new LinkedHashMap<>();
    private ShapeFunction shapeFunction;
    private final List<KernelBinding> kernels = new ArrayList<>();
    private GradientFunction gradient;
    private final EnumSet<OpTrait> traits = EnumSet.noneOf(OpTrait.class);
    private UnaryOp function;
    private String builtBy;

    private Builder(String type) {
      this.type = type;
    }

    /** An input whose type is the type attribute {@code typeAttr}. */
    public Builder input(String name, String typeAttr) {
      inputs.add(new ArgDef(name, typeAttr, null, null, false));
      return this;
    }

    /** An input of a fixed type. */
    public Builder input(String name, DType fixed) {
      inputs.add(new ArgDef(name, null, fixed, null, false));
      return this;
    }

    /** A list input of {@code numberAttr} tensors of type {@code typeAttr}. */
    public Builder inputList(String name, String typeAttr, String numberAttr) {
      inputs.add(new ArgDef(name, typeAttr, null, numberAttr, false));
      if (!attrs.containsKey(numberAttr)) {
        attr(numberAttr, AttrType.INT, null);
      }
      return this;
    }

    /** A list input of {@code numberAttr} tensors of a fixed type (QuantizedConcat's mins). */
    public Builder inputList(String name, DType fixed, String numberAttr) {
      inputs.add(new ArgDef(name, null, fixed, numberAttr, false));
      if (!attrs.containsKey(numberAttr)) {
        attr(numberAttr, AttrType.INT, null);
      }
      return this;
    }

    /** A list input of one tensor per entry of the list(type) attribute {@code typeListAttr}. */
    public Builder inputTypeList(String name, String typeListAttr) {
      inputs.add(new ArgDef(name, null, null, null, typeListAttr, false));
      return this;
    }

    /** A ref input: the output of a variable, whose storage the kernel reads and writes. */
    public Builder refInput(String name, String typeAttr) {
      inputs.add(new ArgDef(name, typeAttr, null, null, true));
      return this;
    }

    public Builder output(String name, String typeAttr) {
      outputs.add(new ArgDef(name, typeAttr, null, null, false));
      return this;
    }

    public Builder output(String name, DType fixed) {
      outputs.add(new ArgDef(name, null, fixed, null, false));
      return this;
    }

    /** A list output of one tensor per entry of the list(type) attribute {@code typeListAttr}. */
    public Builder outputTypeList(String name, String typeListAttr) {
      outputs.add(new ArgDef(name, null, null, null, typeListAttr, false));
      return this;
    }

    /**
     * A required list(type) attribute whose entries are restricted to {@code allowed} (none given:
     * any type).
     */
    public Builder typeListAttr(String name, DType... allowed) {
      attrs.put(name, new AttrDef(name, AttrType.LIST_TYPE, null, Set.of(allowed), List.of()));
      return this;
    }

    /** A required type attribute restricted to {@code allowed} (none given: any type). */
    public Builder typeAttr(String name, DType... allowed) {
      attrs.put(name, new AttrDef(name, AttrType.TYPE, null, Set.of(allowed), List.of()));
      return this;
    }

    /** A type attribute with a default, restricted to {@code allowed} (none given: any type). */
    public Builder typeAttrWithDefault(String name, DType defaultType, DType... allowed) {
      attrs.put(
          name,
          new AttrDef(name, AttrType.TYPE, AttrValue.of(defaultType), Set.of(allowed), List.of()));
      return this;
    }

    /** An attribute; {@code defaultValue} null makes it required. */
    public Builder attr(String name, AttrType kind, AttrValue defaultValue) {
      attrs.put(name, new AttrDef(name, kind, defaultValue, Set.of(), List.of()));
      return this;
    }

    /** A string attribute restricted to {@code allowed}; {@code defaultValue} null: required. */
    public Builder stringAttr(String name, String defaultValue, String... allowed) {
      attrs.put(
          name,
          new AttrDef(
              name,
              AttrType.STRING,
              defaultValue == null ? null : AttrValue.of(defaultValue),
              Set.of(),
              Arrays.asList(allowed)));
      return this;
    }

    public Builder shape(ShapeFunction fn) {
      this.shapeFunction = fn;
      return this;
    }

    /** A kernel for any type and format, not saying what it runs. */
    public Builder kernel(KernelFactory factory) {
      kernels.add(new KernelBinding(Set.of(), Set.of(), factory));
      return this;
    }

    /** A kernel for the given element types, not saying what it runs. */
    public Builder kernel(Set<DType> types, KernelFactory factory) {
      kernels.add(new KernelBinding(types, Set.of(), factory));
      return this;
    }

    /** A kernel for any type and format that runs what {@code source} says. */
    public Builder kernel(KernelSource source, KernelFactory factory) {
      kernels.add(new KernelBinding(Set.of(), Set.of(), factory, source));
      return this;
    }

    /**
     * A kernel for the given element types (of {@code T}, or the first type attribute) that runs
     * what {@code source} says.
     */
    public Builder kernel(Set<DType> types, KernelSource source, KernelFactory factory) {
      kernels.add(new KernelBinding(types, Set.of(), factory, source));
      return this;
    }

    /**
     * Twin kernels for the given element types: the scalar {@code reference} and its {@code fast}
     * version, which sessions with the fast kernels run.
     */
    public Builder kernel(Set<DType> types, KernelFactory reference, FastKernelFactory fast) {
      kernels.add(new KernelBinding(types, Set.of(), reference, KernelSource.twins(fast)));
      return this;
    }

    public Builder kernel(KernelBinding binding) {
      kernels.add(binding);
      return this;
    }

    public Builder gradient(GradientFunction fn) {
      this.gradient = fn;
      return this;
    }

    public Builder traits(OpTrait... t) {
      traits.addAll(Arrays.asList(t));
      return this;
    }

    /** Who builds the op, when no method of the typed API does (see {@link OpDef#builtBy}). */
    public Builder builtBy(String who) {
      this.builtBy = who;
      return this;
    }

    /** The elementwise function of its one input that the op computes. */
    public Builder function(UnaryOp fn) {
      this.function = fn;
      return this;
    }

    public OpDef build() {
      if (shapeFunction == null) {
        throw new IllegalStateException("op " + type + " has no shape function");
      }
      for (ArgDef a : inputs) {
        checkTypeAttr(a);
      }
      for (ArgDef a : outputs) {
        checkTypeAttr(a);
      }
      return new OpDef(this);
    }

    private void checkTypeAttr(ArgDef a) {
      if (a.typeAttr() != null
          && (!attrs.containsKey(a.typeAttr())
              || attrs.get(a.typeAttr()).type() != AttrType.TYPE)) {
        throw new IllegalStateException(
            "op " + type + ": argument '" + a.name() + "' uses undeclared type attribute " + a);
      }
      if (a.typeListAttr() != null
          && (!attrs.containsKey(a.typeListAttr())
              || attrs.get(a.typeListAttr()).type() != AttrType.LIST_TYPE)) {
        throw new IllegalStateException(
            "op " + type + ": argument '" + a.name() + "' uses undeclared type list " + a);
      }
    }
  }
}
