package dev.millrace.graph.train;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Initializers;
import dev.millrace.graph.Operand;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float64;
import dev.millrace.graph.types.Int64;
import dev.millrace.graph.types.TType;
import dev.millrace.graph.types.Types;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one optimizer's update: the step counter, the learning rate, slot variables, the update
 * ops (each after every gradient and the loss) and the final step increment.
 */
final class Updates {
  private final Graph graph;
  private final Ops tf;
  private final Ops after;
  private final List<Output<?>> gradients;
  private final List<Variable<?>> variables;
  private final Variable<Int64> step;
  private final Output<Float64> rate;
  private final Map<DType, Output<?>> rates = new HashMap<>();
  private final Map<String, Output<?>> powers = new HashMap<>();
  private final List<Operation> updates = new ArrayList<>();

  Updates(
      String name,
      LearningRateSchedule schedule,
      List<Output<?>> gradients,
      List<Variable<?>> variables,
      List<Operation> runAfter) {
    if (gradients.size() != variables.size()) {
      throw new IllegalArgumentException(
          name + ": " + gradients.size() + " gradients for " + variables.size() + " variables");
    }
    this.graph = variables.get(0).op().graph();
    this.tf = Ops.on(graph).withSubScope(name);
    this.gradients = gradients;
    this.variables = variables;
    Set<Operation> deps = new LinkedHashSet<>(runAfter);
    for (Output<?> g : gradients) {
      deps.add(g.op());
    }
    this.after = tf.withControlDependencies(new ArrayList<>(deps));
    this.step =
        Ops.on(graph)
            .withName(tf.scopePrefix() + "iterations")
            .variable(Types.INT64, Shape.scalar(), Initializers.zeros(), false);
    this.rate = schedule.build(tf, step.asOutput());
  }

  /** Gradient {@code i}, checked against its variable. */
  Output<?> gradient(int i) {
    Output<?> g = gradients.get(i);
    Variable<?> v = variables.get(i);
    if (g.dtype() != v.dtype() || !g.shape().isCompatibleWith(v.shape())) {
      throw new IllegalArgumentException(
          "gradient " + g + " does not match " + v + " (type and shape must agree)");
    }
    return g;
  }

  Output<?> learningRate(DType type) {
    return rates.computeIfAbsent(type, t -> t == DType.FLOAT64 ? rate : cast(rate, t));
  }

  /** {@code base^t} with {@code t} the 1-based update number (for Adam's bias correction). */
  Output<?> power(double base, DType type) {
    return powers.computeIfAbsent(
        base + "/" + type,
        k -> {
          Output<Float64> t = tf.add(tf.cast(step, Types.FLOAT64), tf.constant(1.0));
          Output<Float64> p = tf.pow(tf.constant(base), t);
          return type == DType.FLOAT64 ? p : cast(p, type);
        });
  }

  Output<?> scalar(DType type, double value) {
    return tf.constant(
        type == DType.FLOAT64
            ? Tensor.ofDoubles(Shape.scalar(), value)
            : Tensor.ofFloats(Shape.scalar(), (float) value));
  }

  Output<?> add(Output<?> a, Output<?> b) {
    return tf.op("AddV2", List.of(a, b), Map.of()).output(0);
  }

  Output<?> mul(Output<?> a, Output<?> b) {
    return tf.op("Mul", List.of(a, b), Map.of()).output(0);
  }

  private Output<?> cast(Output<?> x, DType type) {
    return tf.op("Cast", List.of(x), Map.of("DstT", AttrValue.of(type))).output(0);
  }

  /** A zero-initialised, non-trainable slot variable {@code <scope>/<var>/<suffix>}. */
  Variable<?> slot(Variable<?> v, String suffix) {
    return slotOf(v, Types.of(v.dtype()), suffix);
  }

  private <T extends TType> Variable<T> slotOf(
      Variable<?> v, dev.millrace.graph.types.DataType<T> type, String suffix) {
    return Ops.on(graph)
        .withName(tf.scopePrefix() + v.name() + "/" + suffix)
        .variable(type, v.shape(), Initializers.zeros(), false);
  }

  /** An update op that runs after the gradients, the loss and {@code also} (if given). */
  Operation apply(
      String type,
      List<? extends Operand<?>> inputs,
      Map<String, AttrValue> attrs,
      Operation also) {
    Ops ops = also == null ? after : after.withControlDependencies(List.of(also));
    return ops.op(type, inputs, attrs);
  }

  void update(String type, List<? extends Operand<?>> inputs, Map<String, AttrValue> attrs) {
    update(type, inputs, attrs, null);
  }

  void update(
      String type,
      List<? extends Operand<?>> inputs,
      Map<String, AttrValue> attrs,
      Operation also) {
    updates.add(apply(type, inputs, attrs, also));
  }

  /** The training op: advances the step counter after every update. */
  Operation finish() {
    return tf.withControlDependencies(updates)
        .withName("update_step")
        .assignAdd(step, tf.constant(1L))
        .op();
  }
}
