package dev.millrace.data.internal;

import java.util.List;

/**
 * Where a stage is opened: its pipeline, its name's scope and number, its share of the RAM budget
 * and the flags its ancestors pass down.
 *
 * <p>A stage's number is fixed by the description alone (its inputs take the numbers before it, in
 * post-order), so a stage reopened for every epoch or every file keeps its name.
 */
public final class Ctx {
  final Pipeline pipeline;
  final String scope;
  final int base;
  final long stageShare;
  final boolean skipCorrupt;
  final StageCounters corruptTally;
  final long epochKey;

  private Ctx(
      Pipeline pipeline,
      String scope,
      int base,
      long stageShare,
      boolean skipCorrupt,
      StageCounters corruptTally,
      long epochKey) {
    this.pipeline = pipeline;
    this.scope = scope;
    this.base = base;
    this.stageShare = stageShare;
    this.skipCorrupt = skipCorrupt;
    this.corruptTally = corruptTally;
    this.epochKey = epochKey;
  }

  /** The context of a whole pipeline, whose buffering stages share {@code region} bytes. */
  public static Ctx root(Pipeline pipeline, Op<?> root) {
    return new Ctx(
        pipeline, "", 0, pipeline.ramBudget / Math.max(1, root.bufferingStages()), false, null, 0);
  }

  /**
   * A nested pipeline (an interleave's dataset for its input element {@code key}), whose buffers
   * and {@code extraStages} more share {@code region} bytes.
   */
  Ctx nested(String scopeName, Op<?> nestedRoot, long region, int extraStages, long key) {
    long share = region / Math.max(1, nestedRoot.bufferingStages() + extraStages);
    return new Ctx(
        pipeline,
        scopeName + "/",
        0,
        share,
        skipCorrupt,
        corruptTally,
        Seeds.mix(epochKey ^ Seeds.mix(key + 0x51AFD6C1L)));
  }

  /** The context for an input that numbers its stages after {@code offset} others. */
  Ctx shifted(int offset) {
    return new Ctx(pipeline, scope, base + offset, stageShare, skipCorrupt, corruptTally, epochKey);
  }

  Ctx withSkipCorrupt(StageCounters tally) {
    return new Ctx(pipeline, scope, base, stageShare, true, tally, epochKey);
  }

  Ctx withEpoch(long epoch) {
    long key = Seeds.mix(epochKey * 0x9E3779B97F4A7C15L + epoch + 1);
    return new Ctx(pipeline, scope, base, stageShare, skipCorrupt, corruptTally, key);
  }

  boolean topScope() {
    return scope.isEmpty();
  }

  /** The name of {@code op} opened in this context. */
  String name(Op<?> op) {
    return scope + op.kind() + "#" + (base + op.size() - 1);
  }

  /** Registers {@code op}'s counters before its inputs are open; link them with addInput. */
  StageCounters registerFirst(Op<?> op, boolean async) {
    return pipeline.registry.register(name(op), op.kind(), List.of(), async);
  }

  /** Registers {@code op}'s counters with one input stage that has no node of its own. */
  StageCounters registerAfter(Op<?> op, boolean async, StageCounters input) {
    return pipeline.registry.register(name(op), op.kind(), List.of(input.name), async);
  }

  StageCounters register(Op<?> op, boolean async, Node<?>... inputs) {
    List<String> names = new java.util.ArrayList<>(inputs.length);
    for (Node<?> n : inputs) {
      names.add(n.stats().name);
    }
    return pipeline.registry.register(name(op), op.kind(), names, async);
  }

  /**
   * A seed for {@code op} in this context that depends on the pipeline's seed, the stage and (if
   * {@code perEpoch}) the epoch and interleave element it runs in, never on threads or timing.
   */
  long seedFor(Op<?> op, boolean perEpoch) {
    long s = Seeds.mix(pipeline.seed ^ Seeds.mix(name(op).hashCode() * 0x632BE59BD9B4E019L));
    return perEpoch ? Seeds.mix(s ^ epochKey) : s;
  }

  public Pipeline pipeline() {
    return pipeline;
  }
}
