package dev.millrace.graph.internal;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who reads each output among a set of operations, and what must survive a rewrite (fetched or fed
 * outputs, targets, operations others wait on through a control edge): what a {@link Pattern} needs
 * to decide whether an intermediate operation may be absorbed into its consumer.
 */
final class Uses {
  private final Map<Output<?>, Integer> reads = new HashMap<>();
  private final Set<Output<?>> pinned;
  private final Set<Operation> controlling = new HashSet<>();
  private final Set<Operation> targets;

  private Uses(
      Collection<Operation> ops,
      Set<Output<?>> fed,
      Collection<Output<?>> fetched,
      Collection<Operation> targets) {
    for (Operation op : ops) {
      for (Output<?> in : op.inputs()) {
        if (!fed.contains(in)) {
          reads.merge(in, 1, Integer::sum);
        }
      }
      controlling.addAll(op.controlInputs());
    }
    this.pinned = new HashSet<>(fetched);
    this.pinned.addAll(fed);
    this.targets = Set.copyOf(targets);
  }

  /** The uses among {@code ops} of one run: a fed output is cut, fetches and targets stay. */
  static Uses of(
      Collection<Operation> ops,
      Set<Output<?>> fed,
      Collection<Output<?>> fetched,
      Collection<Operation> targets) {
    return new Uses(ops, fed, fetched, targets);
  }

  /** The uses among every operation of {@code graph}, with {@code kept} outputs pinned. */
  static Uses of(Graph graph, Collection<Output<?>> kept) {
    return new Uses(graph.operations(), Set.of(), kept, List.of());
  }

  /** How many input edges read {@code out}. */
  int reads(Output<?> out) {
    return reads.getOrDefault(out, 0);
  }

  /** Whether {@code op}'s outputs are all unread, except output 0. */
  boolean onlyFirstOutputUsed(Operation op) {
    for (int i = 1; i < op.numOutputs(); i++) {
      Output<?> o = op.output(i);
      if (reads(o) > 0 || pinned.contains(o)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code producer} can disappear into {@code consumer}, which reads its output {@code
   * out}: that is the only read of any of its outputs, none is fetched or fed, it is not a target,
   * nothing waits on it through a control edge, and the consumer has no control inputs of its own
   * (a fused operation would have to run after them).
   */
  boolean absorbable(Operation producer, Output<?> out, Operation consumer) {
    return absorbable(producer, consumer, o -> o.equals(out) ? 1 : 0);
  }

  /**
   * Whether {@code producer} can disappear into {@code consumer} though the consumer reads several
   * of its outputs (an eight-bit op's codes and their range): every read of every output is the
   * consumer's, and the rest is as for {@link #absorbable(Operation, Output, Operation)}.
   */
  boolean absorbableWhole(Operation producer, Operation consumer) {
    return absorbable(
        producer, consumer, o -> (int) consumer.inputs().stream().filter(o::equals).count());
  }

  private boolean absorbable(
      Operation producer,
      Operation consumer,
      java.util.function.ToIntFunction<Output<?>> consumerReads) {
    if (!consumer.controlInputs().isEmpty()
        || controlling.contains(producer)
        || targets.contains(producer)) {
      return false;
    }
    for (Output<?> o : producer.outputs()) {
      if (pinned.contains(o) || reads(o) != consumerReads.applyAsInt(o)) {
        return false;
      }
    }
    return true;
  }
}
