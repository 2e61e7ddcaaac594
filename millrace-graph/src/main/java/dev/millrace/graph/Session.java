package dev.millrace.graph;

import dev.millrace.graph.internal.SessionEngine;
import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.KernelsProvider;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Runs a graph: {@code session.runner().feed(x, images).fetch(loss).target(train).run()}. Only the
 * operations needed for the fetches and targets execute; independent ones run concurrently on the
 * inter-op pool, and kernels split large work over the intra-op pool ({@link ThreadConfig}).
 * Variables keep their values in the session between runs; a variable read before it was
 * initialised is initialised first (its initializer runs once).
 *
 * <p>Intermediate tensors are released as soon as their last consumer has run, and the fast kernels
 * write later outputs of the same size into their arrays instead of new ones ({@link
 * dev.millrace.kernels.OutputBuffers}; at most {@code millrace.session.recycleBytes} of free
 * arrays, by default a quarter of the heap up to 1 GiB). {@link Result#stats()} reports the peak,
 * the recycled bytes and per-op times. A kernel failure surfaces as an {@link OpExecutionException}
 * naming the operation. Runs may be issued from several threads. The session's threads are named,
 * created once, and stopped by {@link #close()}.
 */
public final class Session implements AutoCloseable {
  private final Graph graph;
  private final ThreadConfig threads;
  private final Kernels kernels;
  private final SessionEngine engine;

  /** A session with {@link ThreadConfig#physicalCores()} and the best kernels available. */
  public Session(Graph graph) {
    this(graph, ThreadConfig.physicalCores());
  }

  /**
   * A session with the best kernels this JVM can run ({@link KernelsProvider#best}): the fast
   * Vector API kernels when the JVM has {@code --add-modules jdk.incubator.vector}, else the
   * reference kernels (with a one-line warning naming that option).
   */
  public Session(Graph graph, ThreadConfig threads) {
    this(graph, threads, KernelsProvider.best());
  }

  /**
   * A session whose kernels come from {@code kernels}; kernels that can split their work ({@link
   * Kernels#withThreads}) are given the session's intra-op pool.
   */
  public Session(Graph graph, ThreadConfig threads, Kernels kernels) {
    graph.requireOpen();
    this.graph = graph;
    this.threads = threads;
    this.engine = new SessionEngine(graph, threads, kernels);
    this.kernels = engine.kernels();
  }

  public Graph graph() {
    return graph;
  }

  public ThreadConfig threads() {
    return threads;
  }

  /** The kernels runs use (bound to the intra-op pool where they split their own work). */
  public Kernels kernels() {
    return kernels;
  }

  /** A new run request. */
  public Runner runner() {
    return new Runner();
  }

  /** Runs every variable's initializer (again, if already initialised). */
  public void initialize() {
    try {
      engine.initialize(false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("initialization interrupted");
    }
  }

  /** A copy of the variable's current value; fails if it is not initialised. */
  public Tensor readVariable(Variable<?> variable) {
    Tensor v = slot(variable).value();
    if (v == null) {
      throw new IllegalStateException("variable '" + variable.name() + "' is not initialized");
    }
    return v.copy();
  }

  /** Sets the variable to a copy of {@code value} (same type and compatible shape). */
  public void writeVariable(Variable<?> variable, Tensor value) {
    slot(variable).assign(value.copy());
  }

  public boolean isInitialized(Variable<?> variable) {
    return engine.variables().isInitialized(variable.op());
  }

  private VariableSlot slot(Variable<?> variable) {
    if (variable.op().graph() != graph) {
      throw new IllegalArgumentException(variable + " belongs to another graph");
    }
    return engine.variables().slot(variable.op());
  }

  /** Stops the session's threads and drops its variable values. */
  @Override
  public void close() {
    engine.close();
  }

  /** Collects feeds, fetches and targets, then runs them once. */
  public final class Runner {
    private final Map<Output<?>, Tensor> feeds = new LinkedHashMap<>();
    private final List<Output<?>> fetches = new ArrayList<>();
    private final List<Operation> targets = new ArrayList<>();

    private Runner() {}

    /** Replaces {@code output} by {@code value} (a placeholder, or any tensor of the graph). */
    public Runner feed(Operand<?> output, Tensor value) {
      feeds.put(output.asOutput(), value);
      return this;
    }

    /** Feeds the output named {@code op:index} (or {@code op}). */
    public Runner feed(String tensorName, Tensor value) {
      return feed(graph.output(tensorName), value);
    }

    public Runner fetch(Operand<?> output) {
      fetches.add(output.asOutput());
      return this;
    }

    public Runner fetch(String tensorName) {
      return fetch(graph.output(tensorName));
    }

    /** Runs {@code op} (for its effect) without fetching anything from it. */
    public Runner target(Operation op) {
      targets.add(op);
      return this;
    }

    public Runner target(String opName) {
      return target(graph.requireOperation(opName));
    }

    /**
     * Executes the needed subgraph and returns the fetched values in fetch order. Interrupting the
     * calling thread cancels the run ({@link CancellationException}).
     */
    public Result run() {
      try {
        SessionEngine.Outcome o = engine.run(feeds, fetches, targets);
        return new Result(fetches, o.values(), o.stats());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("session run interrupted");
      }
    }
  }

  /**
   * The fetched tensors of a run, in fetch order, and its statistics. The tensors belong to the
   * caller; {@link #close()} frees native ones.
   */
  public static final class Result implements AutoCloseable, Iterable<Tensor> {
    private final List<Output<?>> fetches;
    private final List<Tensor> values;
    private final RunStats stats;

    Result(List<Output<?>> fetches, List<Tensor> values, RunStats stats) {
      this.fetches = List.copyOf(fetches);
      this.values = List.copyOf(values);
      this.stats = stats;
    }

    public int size() {
      return values.size();
    }

    public Tensor get(int i) {
      return values.get(i);
    }

    /** The value fetched for {@code output}; fails if it was not fetched. */
    public Tensor get(Operand<?> output) {
      int i = fetches.indexOf(output.asOutput());
      if (i < 0) {
        throw new IllegalArgumentException(output.asOutput().name() + " was not fetched");
      }
      return values.get(i);
    }

    public RunStats stats() {
      return stats;
    }

    @Override
    public Iterator<Tensor> iterator() {
      return values.iterator();
    }

    @Override
    public void close() {
      for (Tensor t : values) {
        t.close();
      }
    }
  }
}
