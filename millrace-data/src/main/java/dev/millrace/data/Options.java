package dev.millrace.data;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Settings of a whole pipeline, attached with {@link Dataset#withOptions(Options)} and inherited by
 * every dataset derived from it; the dataset that is iterated decides. Immutable: each setter
 * returns a new instance.
 */
public final class Options {
  private static final long NO_SEED = Long.MIN_VALUE;

  private final long seed;
  private final boolean hasSeed;
  private final long ramBudget;
  private final int maxParallelism;
  private final boolean deterministic;
  private final boolean autotune;
  private final PipelineTracer tracer;

  private Options(
      long seed,
      boolean hasSeed,
      long ramBudget,
      int maxParallelism,
      boolean deterministic,
      boolean autotune,
      PipelineTracer tracer) {
    this.seed = seed;
    this.hasSeed = hasSeed;
    this.ramBudget = ramBudget;
    this.maxParallelism = maxParallelism;
    this.deterministic = deterministic;
    this.autotune = autotune;
    this.tracer = tracer;
  }

  /**
   * No seed (each iterator draws one), a RAM budget of a quarter of the maximum heap, up to as many
   * threads per stage as there are processors, deterministic order, autotuning on.
   */
  public static Options defaults() {
    return new Options(
        NO_SEED,
        false,
        Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 4),
        Runtime.getRuntime().availableProcessors(),
        true,
        true,
        null);
  }

  /**
   * The seed of every random stage (shuffle without its own seed, seeded maps such as
   * augmentation): with a seed, two iterators produce the same elements in the same order whatever
   * the thread count. Without one, each iterator draws a seed (kept in its checkpoints).
   */
  public Options seed(long seed) {
    return new Options(seed, true, ramBudget, maxParallelism, deterministic, autotune, tracer);
  }

  public OptionalLong seed() {
    return hasSeed ? OptionalLong.of(seed) : OptionalLong.empty();
  }

  /**
   * The most bytes the pipeline's buffers (prefetch, parallel map, interleave) may hold at once,
   * all stages together; autotuning grows buffers only within it, and it is never exceeded. The
   * shuffle buffer and {@code cache()} are sized by the user and not counted.
   */
  public Options ramBudget(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("ramBudget must be positive, got " + bytes);
    }
    return new Options(seed, hasSeed, bytes, maxParallelism, deterministic, autotune, tracer);
  }

  public long ramBudget() {
    return ramBudget;
  }

  /** The most threads an {@code AUTOTUNE} stage may use. */
  public Options maxParallelism(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("maxParallelism must be >= 1, got " + threads);
    }
    return new Options(seed, hasSeed, ramBudget, threads, deterministic, autotune, tracer);
  }

  public int maxParallelism() {
    return maxParallelism;
  }

  /**
   * Whether parallel stages keep their input order (the default). {@code false} lets fast elements
   * overtake slow ones in parallel {@code map} and {@code interleave}, which can help throughput
   * when element costs vary; such iterators cannot be checkpointed.
   */
  public Options deterministic(boolean deterministic) {
    return new Options(seed, hasSeed, ramBudget, maxParallelism, deterministic, autotune, tracer);
  }

  public boolean deterministic() {
    return deterministic;
  }

  /**
   * Whether {@code AUTOTUNE} stages adapt while running; off, they keep their starting values (one
   * thread per map, the smallest prefetch buffer), which makes timings easier to compare.
   */
  public Options autotune(boolean autotune) {
    return new Options(seed, hasSeed, ramBudget, maxParallelism, deterministic, autotune, tracer);
  }

  public boolean autotune() {
    return autotune;
  }

  /**
   * Where the worker threads report their busy intervals ({@code null}, the default, for nowhere);
   * tracing changes no element and no order, only adds a call per chunk of work.
   */
  public Options tracer(PipelineTracer tracer) {
    return new Options(seed, hasSeed, ramBudget, maxParallelism, deterministic, autotune, tracer);
  }

  public Optional<PipelineTracer> tracer() {
    return Optional.ofNullable(tracer);
  }

  @Override
  public String toString() {
    return "Options{seed="
        + (hasSeed ? Long.toString(seed) : "none")
        + ", ramBudget="
        + ramBudget
        + ", maxParallelism="
        + maxParallelism
        + ", deterministic="
        + deterministic
        + ", autotune="
        + autotune
        + ", tracer="
        + (tracer == null ? "none" : tracer)
        + "}";
  }
}
