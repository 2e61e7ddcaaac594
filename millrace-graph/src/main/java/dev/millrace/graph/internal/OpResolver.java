package dev.millrace.graph.internal;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.ArgDef;
import dev.millrace.graph.spi.AttrDef;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Checks a new operation against its {@link OpDef} and infers what the definition leaves open: type
 * attributes from the inputs, defaults for absent attributes, and the output types and shapes.
 * Every error names the op's type and name.
 */
public final class OpResolver {
  /** The checked attributes (sorted, defaults filled in) and inferred output types and shapes. */
  public record Resolved(
      SortedMap<String, AttrValue> attrs, List<DType> outputTypes, List<Shape> outputShapes) {}

  private OpResolver() {}

  public static Resolved resolve(
      OpDef def, String name, List<Output<?>> inputs, Map<String, AttrValue> given) {
    String where = def.type() + " '" + name + "'";
    TreeMap<String, AttrValue> attrs = new TreeMap<>();
    for (Map.Entry<String, AttrValue> e : given.entrySet()) {
      // Attributes starting with '_' are TensorFlow's internal annotations (_class,
      // _output_shapes): kept so that an imported graph exports unchanged.
      if (!def.attrs().containsKey(e.getKey()) && !e.getKey().startsWith("_")) {
        throw new IllegalArgumentException(
            where
                + ": unknown attribute '"
                + e.getKey()
                + "' (known: "
                + String.join(", ", def.attrs().keySet())
                + ")");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException(where + ": attribute '" + e.getKey() + "' is null");
      }
      attrs.put(e.getKey(), e.getValue());
    }
    bindListLengths(def, where, inputs.size(), attrs);
    bindInputTypes(def, where, inputs, attrs);
    for (AttrDef a : def.attrs().values()) {
      AttrValue v = attrs.get(a.name());
      if (v == null) {
        if (a.isRequired()) {
          throw new IllegalArgumentException(
              where
                  + ": missing required attribute '"
                  + a.name()
                  + "' ("
                  + a.type().tensorflowName()
                  + ")");
        }
        attrs.put(a.name(), a.defaultValue());
      } else {
        checkAttr(where, a, v);
      }
    }
    List<DType> outTypes = new ArrayList<>();
    for (ArgDef o : def.outputs()) {
      DType t = o.fixedType() != null ? o.fixedType() : typeOf(attrs, o.typeAttr());
      int count = o.isList() ? (int) ((AttrValue.IntValue) attrs.get(o.numberAttr())).value() : 1;
      for (int i = 0; i < count; i++) {
        outTypes.add(t);
      }
    }
    SortedMap<String, AttrValue> frozen = Collections.unmodifiableSortedMap(attrs);
    List<Shape> shapes = inferShapes(def, name, inputs, frozen, outTypes.size());
    return new Resolved(frozen, List.copyOf(outTypes), Collections.unmodifiableList(shapes));
  }

  private static void bindListLengths(
      OpDef def, String where, int given, Map<String, AttrValue> attrs) {
    int fixed = 0;
    ArgDef open = null;
    for (ArgDef a : def.inputs()) {
      if (!a.isList()) {
        fixed++;
      } else if (attrs.containsKey(a.numberAttr())) {
        fixed += (int) ((AttrValue.IntValue) attrs.get(a.numberAttr())).value();
      } else if (open == null) {
        open = a;
      } else {
        throw new IllegalArgumentException(
            where + ": give attribute '" + a.numberAttr() + "' (two list inputs)");
      }
    }
    if (open != null) {
      int n = given - fixed;
      if (n < 1) {
        throw new IllegalArgumentException(
            where + ": list input '" + open.name() + "' needs at least 1 tensor, got " + n);
      }
      attrs.put(open.numberAttr(), AttrValue.of((long) n));
      fixed += n;
    }
    if (fixed != given) {
      throw new IllegalArgumentException(
          where + ": expected " + fixed + " inputs " + argNames(def.inputs()) + ", got " + given);
    }
  }

  private static String argNames(List<ArgDef> args) {
    List<String> names = new ArrayList<>();
    for (ArgDef a : args) {
      names.add(a.isList() ? a.name() + "[" + a.numberAttr() + "]" : a.name());
    }
    return "(" + String.join(", ", names) + ")";
  }

  private static void bindInputTypes(
      OpDef def, String where, List<Output<?>> inputs, Map<String, AttrValue> attrs) {
    Map<String, String> boundFrom = new HashMap<>();
    int k = 0;
    for (ArgDef a : def.inputs()) {
      int count = a.isList() ? (int) ((AttrValue.IntValue) attrs.get(a.numberAttr())).value() : 1;
      for (int j = 0; j < count; j++, k++) {
        Output<?> in = inputs.get(k);
        String label = a.isList() ? a.name() + "[" + j + "]" : a.name();
        if (a.isRef() && !in.op().hasTrait(OpTrait.VARIABLE)) {
          throw new IllegalArgumentException(
              where + ": input " + label + " must be a variable, got " + in.op());
        }
        if (a.fixedType() != null) {
          if (in.dtype() != a.fixedType()) {
            throw new IllegalArgumentException(
                where
                    + ": input "
                    + label
                    + " must have type "
                    + a.fixedType()
                    + ", got "
                    + in.dtype()
                    + " from "
                    + in.name());
          }
          continue;
        }
        AttrValue bound = attrs.get(a.typeAttr());
        if (bound == null) {
          attrs.put(a.typeAttr(), AttrValue.of(in.dtype()));
          boundFrom.put(a.typeAttr(), label);
        } else if (!(bound instanceof AttrValue.TypeValue tv) || tv.value() != in.dtype()) {
          String source = boundFrom.getOrDefault(a.typeAttr(), "the attribute");
          throw new IllegalArgumentException(
              where
                  + ": input "
                  + label
                  + " has type "
                  + in.dtype()
                  + " but "
                  + a.typeAttr()
                  + " is "
                  + bound
                  + " (from "
                  + source
                  + ")");
        }
      }
    }
  }

  private static void checkAttr(String where, AttrDef a, AttrValue v) {
    if (v.type() != a.type()) {
      throw new IllegalArgumentException(
          where
              + ": attribute '"
              + a.name()
              + "' must be "
              + a.type().tensorflowName()
              + ", got "
              + v.type().tensorflowName()
              + " "
              + v);
    }
    if (v instanceof AttrValue.TypeValue t
        && !a.allowedTypes().isEmpty()
        && !a.allowedTypes().contains(t.value())) {
      throw new IllegalArgumentException(
          where
              + ": attribute '"
              + a.name()
              + "' is "
              + t.value()
              + ", allowed: "
              + a.allowedTypes().stream().map(Enum::name).sorted().toList());
    }
    if (v instanceof AttrValue.StringValue s
        && !a.allowedStrings().isEmpty()
        && !a.allowedStrings().contains(s.value())) {
      throw new IllegalArgumentException(
          where
              + ": attribute '"
              + a.name()
              + "' is \""
              + s.value()
              + "\", allowed: "
              + a.allowedStrings());
    }
  }

  private static DType typeOf(Map<String, AttrValue> attrs, String attr) {
    return ((AttrValue.TypeValue) attrs.get(attr)).value();
  }

  private static List<Shape> inferShapes(
      OpDef def, String name, List<Output<?>> inputs, Map<String, AttrValue> attrs, int outputs) {
    for (Output<?> in : inputs) {
      if (!in.hasKnownRank()) {
        return new ArrayList<>(Collections.nCopies(outputs, null));
      }
    }
    ShapeContextImpl ctx = new ShapeContextImpl(def.type(), name, inputs, attrs);
    List<Shape> shapes = new ArrayList<>(def.shapeFunction().infer(ctx));
    if (shapes.size() != outputs) {
      throw new IllegalStateException(
          def.type()
              + " '"
              + name
              + "': shape function returned "
              + shapes.size()
              + " shapes for "
              + outputs
              + " outputs");
    }
    return shapes;
  }
}
