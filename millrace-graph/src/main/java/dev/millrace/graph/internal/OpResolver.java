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
    int[] counts = bindListLengths(def, where, inputs.size(), attrs);
    bindInputTypes(def, where, inputs, attrs, counts);
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
      if (o.typeListAttr() != null) {
        outTypes.addAll(((AttrValue.TypeListValue) attrs.get(o.typeListAttr())).values());
        continue;
      }
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

  /** The number of tensors of each input argument; binds the length of the one open list. */
  private static int[] bindListLengths(
      OpDef def, String where, int given, Map<String, AttrValue> attrs) {
    List<ArgDef> args = def.inputs();
    int[] counts = new int[args.size()];
    int fixed = 0;
    int open = -1;
    for (int i = 0; i < args.size(); i++) {
      ArgDef a = args.get(i);
      if (!a.isList()) {
        counts[i] = 1;
      } else if (attrs.containsKey(a.lengthAttr())) {
        counts[i] = count(where, a, attrs.get(a.lengthAttr()));
      } else if (open < 0) {
        open = i;
        continue;
      } else {
        throw new IllegalArgumentException(
            where + ": give attribute '" + a.lengthAttr() + "' (two list inputs)");
      }
      fixed += counts[i];
    }
    if (open >= 0) {
      ArgDef a = args.get(open);
      int n = given - fixed;
      if (n < 1) {
        throw new IllegalArgumentException(
            where + ": list input '" + a.name() + "' needs at least 1 tensor, got " + n);
      }
      if (a.numberAttr() != null) {
        attrs.put(a.numberAttr(), AttrValue.of((long) n));
      } // a type list is bound from the inputs' types (bindInputTypes)
      counts[open] = n;
      fixed += n;
    }
    if (fixed != given) {
      throw new IllegalArgumentException(
          where + ": expected " + fixed + " inputs " + argNames(def.inputs()) + ", got " + given);
    }
    return counts;
  }

  /** The length {@code v} gives list argument {@code a}: N, or the number of types. */
  private static int count(String where, ArgDef a, AttrValue v) {
    if (a.typeListAttr() != null && v instanceof AttrValue.TypeListValue l) {
      return l.values().size();
    }
    if (a.numberAttr() != null && v instanceof AttrValue.IntValue n) {
      if (n.value() < 0) {
        throw new IllegalArgumentException(
            where + ": attribute '" + a.numberAttr() + "' is " + n.value() + ", must be >= 0");
      }
      return Math.toIntExact(n.value());
    }
    throw new IllegalArgumentException(
        where
            + ": attribute '"
            + a.lengthAttr()
            + "' must be "
            + (a.typeListAttr() != null ? "list(type)" : "int")
            + ", got "
            + v.type().tensorflowName()
            + " "
            + v);
  }

  private static String argNames(List<ArgDef> args) {
    List<String> names = new ArrayList<>();
    for (ArgDef a : args) {
      names.add(a.isList() ? a.name() + "[" + a.lengthAttr() + "]" : a.name());
    }
    return "(" + String.join(", ", names) + ")";
  }

  private static void bindInputTypes(
      OpDef def, String where, List<Output<?>> inputs, Map<String, AttrValue> attrs, int[] counts) {
    Map<String, String> boundFrom = new HashMap<>();
    int k = 0;
    for (int i = 0; i < counts.length; i++) {
      ArgDef a = def.inputs().get(i);
      if (a.typeListAttr() != null) {
        bindTypeList(where, a, inputs.subList(k, k + counts[i]), attrs);
        k += counts[i];
        continue;
      }
      for (int j = 0; j < counts[i]; j++, k++) {
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

  /** Binds (or checks) a list(type) attribute: one type per tensor of the list argument. */
  private static void bindTypeList(
      String where, ArgDef a, List<Output<?>> tensors, Map<String, AttrValue> attrs) {
    List<DType> types = new ArrayList<>(tensors.size());
    for (Output<?> in : tensors) {
      types.add(in.dtype());
    }
    AttrValue bound = attrs.get(a.typeListAttr());
    if (bound == null) {
      attrs.put(a.typeListAttr(), AttrValue.ofTypes(types));
      return;
    }
    List<DType> declared = ((AttrValue.TypeListValue) bound).values();
    for (int j = 0; j < types.size(); j++) {
      if (declared.get(j) != types.get(j)) {
        throw new IllegalArgumentException(
            where
                + ": input "
                + a.name()
                + "["
                + j
                + "] ("
                + tensors.get(j).name()
                + ") has type "
                + types.get(j)
                + " but "
                + a.typeListAttr()
                + " is "
                + declared);
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
    if (v instanceof AttrValue.TypeListValue l && !a.allowedTypes().isEmpty()) {
      for (DType t : l.values()) {
        if (!a.allowedTypes().contains(t)) {
          throw new IllegalArgumentException(
              where
                  + ": attribute '"
                  + a.name()
                  + "' is "
                  + l
                  + ", "
                  + t
                  + " is not allowed: "
                  + a.allowedTypes().stream().map(Enum::name).sorted().toList());
        }
      }
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
