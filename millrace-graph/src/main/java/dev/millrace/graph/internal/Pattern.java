package dev.millrace.graph.internal;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.kernels.UnaryOp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A tree pattern over operations, for rewrite passes: {@code op("Mul", op("Conv2D", any(),
 * constant()), constant())} is {@code Mul(Conv2D(*, Const), Const)}. A pattern is matched at a root
 * operation and down through its inputs, positionally.
 *
 * <p>An operation pattern inside the tree (not the root) stands for an intermediate that a rewrite
 * removes, so it matches only a producer whose output 0 is the one input read and which {@link
 * Uses#absorbable} allows: no other reader, not fetched, fed or targeted, no control edges. Leaves
 * ({@link #any}, {@link #constant}) match inputs that stay as they are. Operations are recognised
 * by type, by what the op-traits table says of them or by the function their definition declares: a
 * pass states what it looks for as a pattern, not as comparisons of type names of its own.
 */
final class Pattern {
  private final String description;
  private final Predicate<OpDef> def;
  private final List<Pattern> inputs;
  private final BiPredicate<Operation, Uses> condition;
  private final String name;
  private final List<Pattern> alternatives;
  private final boolean whole;

  private Pattern(
      String description,
      Predicate<OpDef> def,
      List<Pattern> inputs,
      BiPredicate<Operation, Uses> condition,
      String name) {
    this(description, def, inputs, condition, name, null, false);
  }

  private Pattern(
      String description,
      Predicate<OpDef> def,
      List<Pattern> inputs,
      BiPredicate<Operation, Uses> condition,
      String name,
      List<Pattern> alternatives) {
    this(description, def, inputs, condition, name, alternatives, false);
  }

  private Pattern(
      String description,
      Predicate<OpDef> def,
      List<Pattern> inputs,
      BiPredicate<Operation, Uses> condition,
      String name,
      List<Pattern> alternatives,
      boolean whole) {
    this.description = description;
    this.def = def;
    this.inputs = inputs;
    this.condition = condition;
    this.name = name;
    this.alternatives = alternatives;
    this.whole = whole;
  }

  /** Any input, left as it is. */
  static Pattern any() {
    return new Pattern("*", null, null, null, null);
  }

  /** An input produced by a constant ({@link OpTrait#CONSTANT}), left as it is. */
  static Pattern constant() {
    return new Pattern("Const", d -> d.traits().contains(OpTrait.CONSTANT), null, null, null);
  }

  /**
   * An operation of the built-in type {@code type} whose first inputs match {@code inputs} (it may
   * have more). Fails for a type the registry does not know, so a typo cannot silently match
   * nothing.
   */
  static Pattern op(String type, Pattern... inputs) {
    OpRegistry.global().get(type);
    return new Pattern(type, d -> d.type().equals(type), List.of(inputs), null, null);
  }

  /** An operation whose type has {@code trait}. */
  static Pattern withTrait(OpTrait trait, Pattern... inputs) {
    return new Pattern(trait.name(), d -> d.traits().contains(trait), List.of(inputs), null, null);
  }

  /** An elementwise operation whose definition says it computes one of {@code functions}. */
  static Pattern elementwise(Set<UnaryOp> functions, Pattern input) {
    return new Pattern(
        "elementwise" + functions,
        d -> d.function().filter(functions::contains).isPresent(),
        List.of(input),
        null,
        null);
  }

  /** The first of {@code alternatives} that matches. */
  static Pattern oneOf(Pattern... alternatives) {
    List<Pattern> all = List.of(alternatives);
    return new Pattern("oneOf" + all, null, null, null, null, all);
  }

  /** This pattern, binding what it matches to {@code bindName} in the {@link Match}. */
  Pattern as(String bindName) {
    return new Pattern(description, def, inputs, condition, bindName, alternatives, whole);
  }

  /**
   * This pattern as an intermediate whose consumer may read several of its outputs (an eight-bit
   * op's codes, min and max), as long as no other operation reads any of them. The consumer's
   * pattern names the other outputs as leaves.
   */
  Pattern readWhole() {
    if (alternatives != null) {
      List<Pattern> each = alternatives.stream().map(Pattern::readWhole).toList();
      return new Pattern(description, null, null, null, name, each, true);
    }
    return new Pattern(description, def, inputs, condition, name, alternatives, true);
  }

  /** This pattern, matching only where {@code test} holds as well. */
  Pattern where(Predicate<Operation> test) {
    return where((op, uses) -> test.test(op));
  }

  /**
   * This pattern, matching only where {@code test} holds (it may ask who reads what). On {@link
   * #oneOf}, each alternative gets the test, so the first that matches and passes it wins.
   */
  Pattern where(BiPredicate<Operation, Uses> test) {
    if (alternatives != null) {
      List<Pattern> tested = alternatives.stream().map(p -> p.where(test)).toList();
      return new Pattern(description, null, null, null, name, tested, whole);
    }
    BiPredicate<Operation, Uses> both = condition == null ? test : condition.and(test);
    return new Pattern(description, def, inputs, both, name, alternatives, whole);
  }

  @Override
  public String toString() {
    if (alternatives != null || inputs == null || inputs.isEmpty()) {
      return description;
    }
    return description + inputs.stream().map(Pattern::toString).toList().toString();
  }

  /**
   * What a pattern matched: its root, the intermediates a rewrite may remove (root excluded), and
   * the named parts ({@link #as}): an {@link Operation} for an operation pattern, the input's
   * {@link Output} for a leaf.
   */
  record Match(Operation root, List<Operation> absorbed, Map<String, Object> bound) {
    Match {
      absorbed = List.copyOf(absorbed);
      bound = Map.copyOf(bound);
    }

    Operation op(String bindName) {
      return (Operation) require(bindName);
    }

    Output<?> output(String bindName) {
      return (Output<?>) require(bindName);
    }

    boolean has(String bindName) {
      return bound.containsKey(bindName);
    }

    private Object require(String bindName) {
      Object o = bound.get(bindName);
      if (o == null) {
        throw new IllegalArgumentException(
            "nothing bound to '" + bindName + "' (bound: " + bound.keySet() + ")");
      }
      return o;
    }
  }

  /** This pattern matched at {@code root}, or empty. */
  Optional<Match> match(Operation root, Uses uses) {
    Builder b = new Builder(root);
    return matchOp(root, uses, b) ? Optional.of(b.build()) : Optional.empty();
  }

  /**
   * The matches of {@code patterns} among {@code ops} (in topological order), none sharing an
   * operation: roots are visited consumers first, so the longest chain wins, and at each root the
   * first pattern that matches is taken.
   */
  static List<Match> findAll(List<Pattern> patterns, List<Operation> ops, Uses uses) {
    List<Match> found = new ArrayList<>();
    Set<Operation> taken = new HashSet<>();
    for (int i = ops.size() - 1; i >= 0; i--) {
      Operation root = ops.get(i);
      if (taken.contains(root)) {
        continue;
      }
      for (Pattern p : patterns) {
        Optional<Match> m = p.match(root, uses);
        if (m.isPresent() && m.get().absorbed().stream().noneMatch(taken::contains)) {
          found.add(m.get());
          taken.add(root);
          taken.addAll(m.get().absorbed());
          break;
        }
      }
    }
    return found;
  }

  private boolean matchOp(Operation op, Uses uses, Builder b) {
    if (alternatives != null) {
      return firstAlternative(b, p -> p.matchOp(op, uses, b) ? op : null);
    }
    if (def != null && !def.test(op.def())) {
      return false;
    }
    if (inputs != null) {
      if (op.numInputs() < inputs.size()) {
        return false;
      }
      for (int i = 0; i < inputs.size(); i++) {
        if (!inputs.get(i).matchInput(op, i, uses, b)) {
          return false;
        }
      }
    }
    if (condition != null && !condition.test(op, uses)) {
      return false;
    }
    b.bind(name, op);
    return true;
  }

  /** Matches input {@code i} of {@code consumer}. */
  private boolean matchInput(Operation consumer, int i, Uses uses, Builder b) {
    Output<?> in = consumer.input(i);
    if (alternatives != null) {
      return firstAlternative(
          b, p -> p.matchInput(consumer, i, uses, b) ? (p.isLeaf() ? in : in.op()) : null);
    }
    if (inputs == null) {
      // A leaf: the input stays, so its producer may have other readers.
      if (def != null && !def.test(in.op().def())) {
        return false;
      }
      if (condition != null && !condition.test(in.op(), uses)) {
        return false;
      }
      b.bind(name, in);
      return true;
    }
    Operation producer = in.op();
    boolean absorbable =
        whole ? uses.absorbableWhole(producer, consumer) : uses.absorbable(producer, in, consumer);
    if (in.index() != 0 || !absorbable) {
      return false;
    }
    Builder.Mark mark = b.mark();
    if (!matchOp(producer, uses, b)) {
      b.reset(mark);
      return false;
    }
    b.absorb(producer);
    return true;
  }

  private boolean isLeaf() {
    return inputs == null && alternatives == null;
  }

  /**
   * Tries the alternatives in order, undoing what a failed one bound, and binds what the first to
   * match returns (the operation or output it matched).
   */
  private boolean firstAlternative(Builder b, Function<Pattern, Object> attempt) {
    for (Pattern p : alternatives) {
      Builder.Mark mark = b.mark();
      Object matched = attempt.apply(p);
      if (matched != null) {
        b.bind(name, matched);
        return true;
      }
      b.reset(mark);
    }
    return false;
  }

  /** The match being built; bindings and absorbed operations can be rolled back. */
  private static final class Builder {
    private final Operation root;
    private final List<Operation> absorbed = new ArrayList<>();
    private final List<Map.Entry<String, Object>> bound = new ArrayList<>();

    Builder(Operation root) {
      this.root = root;
    }

    void bind(String name, Object value) {
      if (name != null) {
        bound.add(Map.entry(name, value));
      }
    }

    void absorb(Operation op) {
      absorbed.add(op);
    }

    record Mark(int bound, int absorbed) {}

    Mark mark() {
      return new Mark(bound.size(), absorbed.size());
    }

    void reset(Mark mark) {
      bound.subList(mark.bound(), bound.size()).clear();
      absorbed.subList(mark.absorbed(), absorbed.size()).clear();
    }

    Match build() {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : bound) {
        map.put(e.getKey(), e.getValue());
      }
      return new Match(root, absorbed, map);
    }
  }
}
