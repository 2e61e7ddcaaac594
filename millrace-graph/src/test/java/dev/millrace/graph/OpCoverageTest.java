package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.spi.ArgDef;
import dev.millrace.graph.spi.AttrDef;
import dev.millrace.graph.spi.KernelBinding;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.types.DataType;
import dev.millrace.graph.types.TFloating;
import dev.millrace.graph.types.TInteger;
import dev.millrace.graph.types.TNumber;
import dev.millrace.graph.types.TType;
import dev.millrace.graph.types.Types;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.Kernels;
import dev.millrace.tensor.DType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every registered op against the typed API and the kernels: some method of {@link Ops} or {@link
 * NnOps} builds it (else its definition says who does), that method's type bound stands for the
 * types the definition allows, and its kernel has a fast version or is known to have none.
 */
class OpCoverageTest {
  private static final OpRegistry REGISTRY = OpRegistry.global();
  private static final List<Class<?>> TYPED_API = List.of(Ops.class, NnOps.class);

  /** The types the compile-time marker classes stand for. */
  private static final List<Class<?>> MARKERS = markers();

  private static List<Class<?>> markers() {
    List<Class<?>> m =
        new ArrayList<>(List.of(TType.class, TNumber.class, TFloating.class, TInteger.class));
    for (DType d : DType.values()) {
      m.add(Types.of(d).marker());
    }
    return m;
  }

  private static Set<DType> admitted(Class<?> marker) {
    Set<DType> s = EnumSet.noneOf(DType.class);
    for (DType d : DType.values()) {
      if (marker.isAssignableFrom(Types.of(d).marker())) {
        s.add(d);
      }
    }
    return s;
  }

  private static List<Method> typedMethods() {
    List<Method> methods = new ArrayList<>();
    for (Class<?> c : TYPED_API) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && m.isAnnotationPresent(BuildsOp.class)) {
          methods.add(m);
        }
      }
    }
    methods.sort(Comparator.comparing(OpCoverageTest::label));
    return methods;
  }

  private static String label(Method m) {
    String params =
        Arrays.stream(m.getGenericParameterTypes())
            .map(t -> t.getTypeName().replaceAll("[a-z]+\\.", ""))
            .collect(Collectors.joining(", "));
    return m.getDeclaringClass().getSimpleName() + "." + m.getName() + "(" + params + ")";
  }

  @Test
  void everyOpIsBuiltByTheTypedApiOrItsDefinitionSaysWhoBuildsIt() {
    Set<String> typed = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Method m : typedMethods()) {
      String type = m.getAnnotation(BuildsOp.class).value();
      typed.add(type);
      if (REGISTRY.lookup(type).isEmpty()) {
        problems.add(label(m) + " names op type '" + type + "', which is not registered");
      }
    }
    for (String type : REGISTRY.opTypes()) {
      OpDef def = REGISTRY.get(type);
      boolean gradient = def.traits().contains(OpTrait.GRADIENT);
      boolean builtElsewhere = gradient || def.builtBy().isPresent();
      if (typed.contains(type) && builtElsewhere) {
        problems.add(type + " has a typed method yet says it is built by " + def.builtBy());
      } else if (!typed.contains(type) && !builtElsewhere) {
        problems.add(type + ": no @BuildsOp method in Ops or NnOps, and no builtBy");
      }
    }
    assertThat(problems).isEmpty();
    assertThat(typed).contains("Conv2D", "Relu", "MaxPool", "MatMul", "VariableV2");
  }

  @Test
  void everyTypedMethodsBoundStandsForTheTypesItsOpAllows() {
    List<String> problems = new ArrayList<>();
    for (Method m : typedMethods()) {
      String problem = typeProblem(m);
      if (problem != null) {
        problems.add(problem);
      }
    }
    assertThat(problems).isEmpty();
  }

  /** Null if {@code m}'s type bound matches its op's definition, else why not. */
  private static String typeProblem(Method m) {
    BuildsOp builds = m.getAnnotation(BuildsOp.class);
    OpDef def = REGISTRY.get(builds.value());
    String attr = builds.typeAttr().isEmpty() ? mainTypeAttr(def) : builds.typeAttr();
    if (attr == null) {
      return null; // NoOp: no types at all
    }
    Type wrapperType =
        attr.equals(typeAttrOf(def.outputs())) ? elementType(m.getGenericReturnType()) : null;
    if (wrapperType == null) {
      wrapperType = firstOperandType(m);
    }
    if (wrapperType == null) {
      return label(m) + ": no typed operand or result for " + def.type() + "'s " + attr;
    }
    Class<?> marker = marker(wrapperType);
    AttrDef a = def.attrs().get(attr);
    Set<DType> allowed =
        a.allowedTypes().isEmpty() ? EnumSet.allOf(DType.class) : EnumSet.copyOf(a.allowedTypes());
    Set<DType> accepts = admitted(marker);
    String where = label(m) + " (" + marker.getSimpleName() + ": " + accepts + ")";
    String what = def.type() + " allows " + attr + " in " + allowed;
    if (!marker.isInterface()) {
      return allowed.containsAll(accepts) ? null : where + " but " + what;
    }
    if (builds.narrower()) {
      return allowed.containsAll(accepts) ? null : where + " is not narrower: " + what;
    }
    Class<?> narrowest = narrowestCovering(allowed);
    return marker == narrowest
        ? null
        : where + " but " + what + ": the bound should be " + narrowest.getSimpleName();
  }

  /** The marker that admits every type of {@code allowed} and as few others as possible. */
  private static Class<?> narrowestCovering(Set<DType> allowed) {
    return MARKERS.stream()
        .filter(c -> admitted(c).containsAll(allowed))
        .min(Comparator.comparingInt(c -> admitted(c).size()))
        .orElseThrow();
  }

  /** The type attribute of output 0, else of input 0; null when neither has one. */
  private static String mainTypeAttr(OpDef def) {
    String out = typeAttrOf(def.outputs());
    return out != null ? out : typeAttrOf(def.inputs());
  }

  private static String typeAttrOf(List<ArgDef> args) {
    return args.isEmpty() ? null : args.get(0).typeAttr();
  }

  private static final Set<Class<?>> CARRIERS =
      Set.of(Output.class, Operand.class, Variable.class, BatchNorm.class, DataType.class);

  /** {@code T} of {@code Output<T>}, {@code Variable<T>}, {@code List<? extends Operand<T>>}... */
  private static Type elementType(Type t) {
    if (!(t instanceof ParameterizedType p)) {
      return null;
    }
    Type arg = p.getActualTypeArguments()[0];
    if (p.getRawType() == List.class) {
      return arg instanceof WildcardType w ? elementType(w.getUpperBounds()[0]) : elementType(arg);
    }
    return CARRIERS.contains((Class<?>) p.getRawType()) ? arg : null;
  }

  private static Type firstOperandType(Method m) {
    for (Type p : m.getGenericParameterTypes()) {
      Type e = elementType(p);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** The marker class a type argument stands for: a concrete marker, or a bound. */
  private static Class<?> marker(Type t) {
    if (t instanceof Class<?> c) {
      return c == Object.class ? TType.class : c;
    }
    if (t instanceof TypeVariable<?> v) {
      return marker(v.getBounds()[0]);
    }
    if (t instanceof WildcardType w) {
      return marker(w.getUpperBounds()[0]);
    }
    throw new IllegalArgumentException("not a marker type: " + t);
  }

  @Test
  void everyKernelHasAFastVersionOrIsKnownToHaveNone() {
    Set<String> kernelsMethods =
        Arrays.stream(Kernels.class.getMethods()).map(Method::getName).collect(Collectors.toSet());
    Set<String> fastMethods =
        Arrays.stream(FastKernels.class.getDeclaredMethods())
            // javac adds bridges for the public methods FastKernels inherits from its
            // package-private base, which forward to the reference: those do not count.
            .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isBridge() && !m.isSynthetic())
            .map(Method::getName)
            .collect(Collectors.toSet());
    List<String> problems = new ArrayList<>();
    Map<String, KernelSource.Kind> fastOrNot = new HashMap<>();
    for (String type : REGISTRY.opTypes()) {
      OpDef def = REGISTRY.get(type);
      if (def.kernels().isEmpty()) {
        problems.add(type + ": no kernel binding");
      }
      for (KernelBinding b : def.kernels()) {
        KernelSource s = b.source();
        fastOrNot.put(type, s.kind());
        switch (s.kind()) {
          case UNDECLARED -> problems.add(type + ": its kernel binding does not say what it runs");
          case KERNELS -> {
            for (String name : s.kernelsMethods()) {
              boolean listed = FastKernels.REFERENCE_ONLY.contains(name);
              if (!kernelsMethods.contains(name)) {
                problems.add(type + ": Kernels has no method '" + name + "'");
              } else if (listed == fastMethods.contains(name)) {
                problems.add(
                    type
                        + ": Kernels."
                        + name
                        + (listed
                            ? " is listed as reference-only yet FastKernels overrides it"
                            : " has no fast version and is not in FastKernels.REFERENCE_ONLY"));
              }
            }
          }
          case TWINS, REFERENCE_ONLY, NO_ARITHMETIC -> {}
        }
      }
    }
    assertThat(problems).isEmpty();
    for (String fast : List.of("Conv2D", "MatMul", "Relu", "ReluGrad", "MaxPool", "AddV2")) {
      OpDef def = REGISTRY.get(fast);
      assertThat(def.kernels())
          .as(fast)
          .allSatisfy(
              b -> {
                assertThat(b.source().kind()).isEqualTo(KernelSource.Kind.KERNELS);
                assertThat(b.source().kernelsMethods()).allMatch(fastMethods::contains);
              });
    }
    assertThat(fastOrNot).containsEntry("Floor", KernelSource.Kind.REFERENCE_ONLY);
  }
}
