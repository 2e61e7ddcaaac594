package dev.millrace.graph.internal;

import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.Kernel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one kind of run executes: the operations needed for its fetches and targets (and nothing
 * else: an unfetched branch does not run), in topological order, with their dependencies and the
 * value slots that connect them. Immutable; sessions cache plans per (feeds, fetches, targets).
 *
 * <p>Every output of a planned operation, and every fed output, has a slot. A fed output cuts the
 * graph: its producer runs only if something else of it is needed.
 */
final class Plan {
  final Operation[] ops;

  /** Per op: the slot of each data input. */
  final int[][] inputSlots;

  /** Per op: the slot of output 0 (outputs are consecutive). */
  final int[] outputBase;

  /** Per op: the ops that wait for it (data or control), distinct. */
  final int[][] successors;

  final int[] initialPending;
  final int[] roots;
  final int numSlots;

  /** Per slot: how many input edges of planned ops read it. */
  final int[] slotUses;

  /** Per slot: the output it holds. */
  final Output<?>[] slotOutput;

  /** Per slot: whether a feed provides it. */
  final boolean[] slotFed;

  final int[] feedSlots;
  final int[] fetchSlots;

  /** The variable operations the plan reads. */
  final List<Operation> variables;

  /** Per op: the kernel of a fused chain ending at it ({@link Fusion}), or null. */
  final Kernel[] fused;

  /** Per op: what run statistics call it (its type, or the fused chain's label). */
  final String[] statType;

  /**
   * True if feeds give every output of {@code op}: as in TensorFlow, the op does not run, and a
   * control dependency on it (a fed Placeholder's, say) is met by the feeds.
   */
  private static boolean replacedByFeeds(Operation op, Set<Output<?>> fed) {
    return !op.outputs().isEmpty() && fed.containsAll(op.outputs());
  }

  Plan(Collection<Output<?>> feeds, List<Output<?>> fetches, Collection<Operation> targets) {
    Set<Output<?>> fed = new LinkedHashSet<>(feeds);
    TreeMap<Integer, Operation> needed = new TreeMap<>();
    Deque<Operation> work = new ArrayDeque<>(targets);
    for (Output<?> f : fetches) {
      if (!fed.contains(f)) {
        work.add(f.op());
      }
    }
    while (!work.isEmpty()) {
      Operation op = work.pop();
      if (needed.putIfAbsent(op.index(), op) != null) {
        continue;
      }
      for (Output<?> in : op.inputs()) {
        if (!fed.contains(in)) {
          work.push(in.op());
        }
      }
      for (Operation c : op.controlInputs()) {
        if (!replacedByFeeds(c, fed)) {
          work.add(c);
        }
      }
    }
    Map<Operation, Fusion.Chain> chains =
        Fusion.find(List.copyOf(needed.values()), fed, fetches, targets);
    Set<Operation> absorbed = new HashSet<>();
    for (Fusion.Chain c : chains.values()) {
      absorbed.addAll(c.absorbed());
    }
    ops = needed.values().stream().filter(op -> !absorbed.contains(op)).toArray(Operation[]::new);
    fused = new Kernel[ops.length];
    statType = new String[ops.length];
    List<List<Output<?>>> opInputs = new ArrayList<>();
    List<Set<Operation>> opControls = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      Fusion.Chain chain = chains.get(ops[i]);
      Set<Operation> controls = new LinkedHashSet<>(ops[i].controlInputs());
      if (chain == null) {
        opInputs.add(ops[i].inputs());
        statType[i] = ops[i].type();
      } else {
        opInputs.add(chain.inputs());
        fused[i] = chain.kernel();
        statType[i] = chain.label();
        for (Operation a : chain.absorbed()) {
          controls.addAll(a.controlInputs());
        }
      }
      controls.removeIf(c -> replacedByFeeds(c, fed));
      opControls.add(controls);
    }
    Map<Operation, Integer> position = new HashMap<>();
    for (int i = 0; i < ops.length; i++) {
      position.put(ops[i], i);
    }
    Map<Output<?>, Integer> slots = new HashMap<>();
    List<Output<?>> slotList = new ArrayList<>();
    outputBase = new int[ops.length];
    for (int i = 0; i < ops.length; i++) {
      outputBase[i] = slotList.size();
      for (Output<?> o : ops[i].outputs()) {
        slots.put(o, slotList.size());
        slotList.add(o);
      }
    }
    for (Output<?> f : fed) {
      if (!slots.containsKey(f)) {
        slots.put(f, slotList.size());
        slotList.add(f);
      }
    }
    numSlots = slotList.size();
    slotOutput = slotList.toArray(Output<?>[]::new);
    slotFed = new boolean[numSlots];
    feedSlots = new int[fed.size()];
    int k = 0;
    for (Output<?> f : fed) {
      feedSlots[k++] = slots.get(f);
      slotFed[slots.get(f)] = true;
    }
    fetchSlots = new int[fetches.size()];
    for (int i = 0; i < fetchSlots.length; i++) {
      fetchSlots[i] = slots.get(fetches.get(i));
    }
    slotUses = new int[numSlots];
    inputSlots = new int[ops.length][];
    initialPending = new int[ops.length];
    List<List<Integer>> succ = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      succ.add(new ArrayList<>());
    }
    List<Operation> vars = new ArrayList<>();
    List<Integer> rootList = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      Operation op = ops[i];
      if (op.hasTrait(OpTrait.VARIABLE)) {
        vars.add(op);
      }
      List<Output<?>> inputs = opInputs.get(i);
      inputSlots[i] = new int[inputs.size()];
      Set<Integer> preds = new LinkedHashSet<>();
      for (int j = 0; j < inputs.size(); j++) {
        Output<?> in = inputs.get(j);
        int slot = slots.get(in);
        inputSlots[i][j] = slot;
        slotUses[slot]++;
        if (!fed.contains(in)) {
          preds.add(position.get(in.op()));
        }
      }
      for (Operation c : opControls.get(i)) {
        preds.add(position.get(c));
      }
      initialPending[i] = preds.size();
      for (int p : preds) {
        succ.get(p).add(i);
      }
      if (preds.isEmpty()) {
        rootList.add(i);
      }
    }
    successors = new int[ops.length][];
    for (int i = 0; i < ops.length; i++) {
      successors[i] = succ.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    roots = rootList.stream().mapToInt(Integer::intValue).toArray();
    variables = List.copyOf(vars);
  }

  @Override
  public String toString() {
    return "Plan" + Arrays.stream(ops).map(Operation::name).toList();
  }
}
