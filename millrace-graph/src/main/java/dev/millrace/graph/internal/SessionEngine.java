package dev.millrace.graph.internal;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Graph;
import dev.millrace.graph.OpExecutionException;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.RunStats;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.Variable;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelBinding;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machinery behind a {@link dev.millrace.graph.Session}: its thread pools, kernels, variable
 * values and cached plans. Threads are named {@code millrace-session-<n>-inter-op-<k>} and {@code
 * millrace-session-<n>-intra-op-<k>}, created once and stopped by {@link #close()}.
 */
public final class SessionEngine implements AutoCloseable {
  private static final AtomicInteger SESSIONS = new AtomicInteger();
  private static final int MAX_CACHED_PLANS = 64;

  /** The fetched tensors of a run and its statistics. */
  public record Outcome(List<Tensor> values, RunStats stats) {}

  private record PlanKey(Set<Output<?>> feeds, List<Output<?>> fetches, Set<Operation> targets) {}

  private final Graph graph;
  private final Kernels kernels;
  private final ThreadPoolExecutor interOp;
  private final IntraOpPool intraOp;
  private final VariableStore variables = new VariableStore();
  private final OutputBuffers buffers = new OutputBuffers(OutputBuffers.defaultCapacity());
  private final ConcurrentHashMap<Operation, Kernel> kernelCache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PlanKey, Plan> plans = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public SessionEngine(Graph graph, ThreadConfig threads, Kernels kernels) {
    this.graph = graph;
    String prefix = "millrace-session-" + SESSIONS.incrementAndGet();
    AtomicInteger interCount = new AtomicInteger();
    this.interOp =
        new ThreadPoolExecutor(
            threads.interOpThreads(),
            threads.interOpThreads(),
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, prefix + "-inter-op-" + interCount.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
    this.intraOp = new IntraOpPool(prefix + "-intra-op-", threads.intraOpThreads());
    // Kernels that split their own work get the intra-op pool (no thread is created per call);
    // others are used as given.
    Kernels bound = kernels.withThreads(intraOp);
    this.kernels = bound.splitsWork() ? bound : kernels;
  }

  /** The kernels runs use: the session's, bound to its intra-op pool. */
  public Kernels kernels() {
    return kernels;
  }

  public VariableStore variables() {
    return variables;
  }

  /**
   * Runs the operations needed for {@code fetches} and {@code targets}, with {@code feeds}
   * replacing the outputs they name. Uninitialised variables the run reads are initialised first.
   */
  public Outcome run(Map<Output<?>, Tensor> feeds, List<Output<?>> fetches, List<Operation> targets)
      throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("the session is closed");
    }
    feeds.forEach(SessionEngine::checkFeed);
    Plan plan = plan(new ArrayList<>(feeds.keySet()), fetches, targets);
    List<Tensor> feedValues = new ArrayList<>();
    for (int slot : plan.feedSlots) {
      feedValues.add(feeds.get(plan.slotOutput[slot]));
    }
    initializeVariables(plan.variables);
    Run run =
        new Run(plan, kernels, intraOp, interOp, variables, this::kernel, buffers, feedValues);
    List<Tensor> values = run.execute();
    return new Outcome(values, run.stats());
  }

  /** Runs the initializers of every variable of the graph (all of them, or the uninitialised). */
  public void initialize(boolean onlyUninitialized) throws InterruptedException {
    List<Operation> inits = new ArrayList<>();
    for (Variable<?> v : graph.variables()) {
      if (v.initializer().isPresent() && (!onlyUninitialized || !variables.isInitialized(v.op()))) {
        inits.add(v.initializer().get());
      }
    }
    if (!inits.isEmpty()) {
      Plan plan = plan(List.of(), List.of(), inits);
      new Run(plan, kernels, intraOp, interOp, variables, this::kernel, buffers, List.of())
          .execute();
    }
  }

  private void initializeVariables(List<Operation> read) throws InterruptedException {
    for (Operation v : read) {
      if (!variables.isInitialized(v)) {
        boolean initialisable = graph.variable(v).flatMap(Variable::initializer).isPresent();
        if (initialisable) {
          initialize(true);
          return;
        }
      }
    }
  }

  private static void checkFeed(Output<?> o, Tensor t) {
    if (t == null) {
      throw new IllegalArgumentException("feed for " + o.name() + " is null");
    }
    if (t.dtype() != o.dtype()) {
      throw new IllegalArgumentException(
          "feed for " + o.name() + " has type " + t.dtype() + ", expected " + o.dtype());
    }
    if (o.hasKnownRank() && !t.shape().isCompatibleWith(o.shape())) {
      throw new IllegalArgumentException(
          "feed for " + o.name() + " has shape " + t.shape() + ", expected " + o.shape());
    }
  }

  private Plan plan(List<Output<?>> feeds, List<Output<?>> fetches, List<Operation> targets) {
    for (Output<?> o : fetches) {
      requireOwn(o.op());
    }
    for (Operation op : targets) {
      requireOwn(op);
    }
    PlanKey key = new PlanKey(Set.copyOf(feeds), List.copyOf(fetches), Set.copyOf(targets));
    Plan p = plans.get(key);
    if (p == null) {
      if (plans.size() >= MAX_CACHED_PLANS) {
        plans.clear();
      }
      p = new Plan(feeds, fetches, targets);
      plans.putIfAbsent(key, p);
    }
    return p;
  }

  private void requireOwn(Operation op) {
    if (op.graph() != graph) {
      throw new IllegalArgumentException(op + " belongs to another graph than the session's");
    }
  }

  private Kernel kernel(Operation op) {
    Kernel k = kernelCache.get(op);
    if (k == null) {
      k = kernelCache.computeIfAbsent(op, this::bind);
    }
    return k;
  }

  private Kernel bind(Operation op) {
    DType type = kernelType(op);
    DataFormat format =
        op.findAttr("data_format")
            .map(v -> DataFormat.parse(((AttrValue.StringValue) v).value()))
            .orElse(null);
    KernelBinding binding =
        op.def()
            .kernelFor(type, format)
            .orElseThrow(
                () ->
                    new OpExecutionException(
                        op,
                        new IllegalArgumentException(
                            "no kernel registered for type " + type + " and format " + format)));
    return binding.create(op, kernels);
  }

  /** The element type that selects a kernel: attribute T, else the first type attribute. */
  private static DType kernelType(Operation op) {
    if (op.findAttr("T").orElse(null) instanceof AttrValue.TypeValue t) {
      return t.value();
    }
    for (var def : op.def().attrs().values()) {
      if (op.findAttr(def.name()).orElse(null) instanceof AttrValue.TypeValue t) {
        return t.value();
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    interOp.shutdownNow();
    intraOp.close();
    try {
      interOp.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    variables.clear();
  }
}
