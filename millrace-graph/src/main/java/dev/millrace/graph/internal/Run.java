package dev.millrace.graph.internal;

import dev.millrace.graph.OpExecutionException;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.RunStats;
import dev.millrace.graph.spi.IntraOp;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.LayoutTwins;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One execution of a {@link Plan}. Ready operations go to the inter-op pool; a thread that finishes
 * an operation continues inline with one newly ready successor (saving a hand-off) and submits the
 * others.
 *
 * <p>Memory: each slot counts its pending readers; when the count reaches zero the value is
 * dropped. Outputs that share storage with an input (Identity, Reshape) share that input's storage
 * record, so storage is released (native storage closed) only when its last alias is done. Values
 * from feeds, constants and variables are never released or counted as intermediate bytes.
 *
 * <p>Kernels run inside the session's {@link OutputBuffers}, and a released FLOAT32 value goes back
 * to them for a later output of the same size. That is safe because a kernel keeps no input or
 * output after it returns, except through {@link VariableSlot#assign}, whose tensor this run then
 * never gives back.
 */
final class Run {
  private final Plan plan;
  private final Kernels kernels;
  private final IntraOp intraOp;
  private final Executor pool;
  private final VariableStore variables;
  private final Function<Operation, Kernel> kernelFor;
  private final OutputBuffers buffers;
  // Storage (heap arrays) a kernel handed to a variable during this run: never recycled.
  private final Set<Object> escaped = ConcurrentHashMap.newKeySet();
  // NHWC copies of NCHW results, for the NCHW kernels that read them next.
  private final LayoutTwins twins;

  private final AtomicReferenceArray<Tensor> values;
  private final AtomicIntegerArray pending;
  private final AtomicIntegerArray uses;
  private final int[] root;
  private final AtomicIntegerArray rootRefs;
  private final boolean[] owned;
  private final boolean[] recyclable;
  private final Tensor[] rootTensor;
  private final long[] bytes;
  private final AtomicLong live = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final LongAdder recycledBytes = new LongAdder();
  private final AtomicInteger remaining;
  private final AtomicInteger active = new AtomicInteger();
  private final ConcurrentLinkedQueue<RunStats.OpStat> stats = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final long start = System.nanoTime();
  private volatile Throwable error;

  Run(
      Plan plan,
      Kernels kernels,
      IntraOp intraOp,
      Executor pool,
      VariableStore variables,
      Function<Operation, Kernel> kernelFor,
      OutputBuffers buffers,
      List<Tensor> feedValues) {
    this.plan = plan;
    this.kernels = kernels;
    this.intraOp = intraOp;
    this.pool = pool;
    this.variables = variables;
    this.kernelFor = kernelFor;
    this.buffers = buffers;
    this.twins = new LayoutTwins(buffers);
    int n = plan.numSlots;
    values = new AtomicReferenceArray<>(n);
    uses = new AtomicIntegerArray(plan.slotUses);
    root = new int[n];
    rootRefs = new AtomicIntegerArray(n);
    owned = new boolean[n];
    recyclable = new boolean[n];
    rootTensor = new Tensor[n];
    bytes = new long[n];
    pending = new AtomicIntegerArray(plan.initialPending);
    remaining = new AtomicInteger(plan.ops.length);
    for (int s : plan.fetchSlots) {
      uses.incrementAndGet(s); // pinned until the run ends
    }
    for (int i = 0; i < plan.feedSlots.length; i++) {
      int s = plan.feedSlots[i];
      values.set(s, feedValues.get(i));
      root[s] = s;
      rootRefs.set(s, 1);
    }
  }

  /** Runs to completion (or the first failure) and returns the fetched values. */
  List<Tensor> execute() throws InterruptedException {
    if (plan.ops.length == 0) {
      done.complete(null);
    } else {
      for (int r : plan.roots) {
        submit(r);
      }
    }
    try {
      done.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      // Interruption cancels: no new operation starts; wait for the running ones to return.
      fail(e);
      done.join();
      releaseAll();
      throw e;
    }
    if (error != null) {
      releaseAll();
      if (error instanceof RuntimeException re) {
        throw re;
      }
      if (error instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(error);
    }
    twins.close(); // every operation has returned: no kernel reads a twin any more
    List<Tensor> out = new ArrayList<>(plan.fetchSlots.length);
    for (int s : plan.fetchSlots) {
      Tensor t = values.get(s);
      // Constants, feeds and variables are handed out as copies: the caller may modify or keep
      // the result while the session's state moves on.
      out.add(owned[root[s]] ? t : t.copy());
    }
    return out;
  }

  RunStats stats() {
    return new RunStats(
        System.nanoTime() - start, peak.get(), new ArrayList<>(stats), recycledBytes.sum());
  }

  private void submit(int op) {
    active.incrementAndGet();
    try {
      pool.execute(() -> loop(op));
    } catch (RuntimeException e) {
      // The pool is shut down (session closing): the run fails instead of hanging.
      fail(e);
      exit();
    }
  }

  private void loop(int first) {
    int i = first;
    try {
      while (i >= 0 && error == null) {
        if (!runOp(i)) {
          break;
        }
        int next = -1;
        for (int s : plan.successors[i]) {
          if (pending.decrementAndGet(s) == 0) {
            if (next < 0) {
              next = s;
            } else {
              submit(s);
            }
          }
        }
        remaining.decrementAndGet();
        i = next;
      }
    } finally {
      exit();
    }
  }

  private void exit() {
    if (active.decrementAndGet() == 0 && (remaining.get() == 0 || error != null)) {
      done.complete(null);
    }
  }

  private void fail(Throwable t) {
    synchronized (this) {
      if (error == null) {
        error = t;
      }
    }
  }

  /** Executes op {@code i}; false if it failed (the run then stops). */
  private boolean runOp(int i) {
    Operation op = plan.ops[i];
    int[] in = plan.inputSlots[i];
    Tensor[] inputs = new Tensor[in.length];
    long t0 = System.nanoTime();
    List<Tensor> outs;
    OutputBuffers.Loan loan;
    try {
      Kernel fused = plan.fused[i];
      for (int j = 0; j < in.length; j++) {
        inputs[j] = values.get(in[j]);
        if (inputs[j] == null
            && (fused != null || !op.def().inputs().get(argIndex(op, j)).isRef())) {
          throw fused != null
              ? new IllegalStateException("fused input " + j + " has no value")
              : missing(op, j);
        }
      }
      Kernel kernel = fused != null ? fused : kernelFor.apply(op);
      Context ctx = new Context(op, inputs);
      loan = new OutputBuffers.Loan(buffers, twins);
      outs = OutputBuffers.supplying(loan, () -> kernel.compute(ctx));
      check(op, outs);
    } catch (OpExecutionException e) {
      fail(e);
      return false;
    } catch (RuntimeException | Error e) {
      fail(new OpExecutionException(op, e));
      return false;
    }
    long t1 = System.nanoTime();
    recycledBytes.add(loan.recycledBytes());
    long outBytes = publish(i, op, inputs, outs, loan);
    for (int s : in) {
      releaseUse(s);
    }
    stats.add(
        new RunStats.OpStat(
            op.name(),
            plan.statType[i],
            t0 - start,
            t1 - t0,
            Thread.currentThread().getName(),
            outBytes));
    return true;
  }

  private static int argIndex(Operation op, int input) {
    // Inputs map to arguments in order; only list arguments span several inputs.
    var args = op.def().inputs();
    int k = 0;
    for (int a = 0; a < args.size(); a++) {
      int count = op.count(args.get(a));
      if (input < k + count) {
        return a;
      }
      k += count;
    }
    return args.size() - 1;
  }

  private IllegalStateException missing(Operation op, int j) {
    Output<?> in = op.input(j);
    if (in.op().hasTrait(OpTrait.VARIABLE)) {
      return new IllegalStateException(
          "reads variable '"
              + in.op().name()
              + "', which is not initialized (run its initializer, or Session.initialize())");
    }
    return new IllegalStateException("input " + j + " (" + in.name() + ") has no value");
  }

  private static void check(Operation op, List<Tensor> outs) {
    if (outs.size() != op.numOutputs()) {
      throw new IllegalStateException(
          "kernel returned " + outs.size() + " tensors for " + op.numOutputs() + " outputs");
    }
    for (int k = 0; k < outs.size(); k++) {
      Tensor t = outs.get(k);
      if (t == null) {
        if (op.hasTrait(OpTrait.VARIABLE)) {
          continue;
        }
        throw new IllegalStateException("kernel returned no tensor for output " + k);
      }
      if (t.dtype() != op.outputType(k)) {
        throw new IllegalStateException(
            "kernel returned a "
                + t.dtype()
                + " tensor for output "
                + k
                + " of type "
                + op.outputType(k));
      }
      if (op.outputRankKnown(k) && !t.shape().isCompatibleWith(op.outputShape(k))) {
        throw new IllegalStateException(
            "output "
                + k
                + " has shape "
                + t.shape()
                + " but its inferred shape is "
                + op.outputShape(k));
      }
    }
  }

  private long publish(
      int i, Operation op, Tensor[] inputs, List<Tensor> outs, OutputBuffers.Loan loan) {
    int[] in = plan.inputSlots[i];
    boolean stateOwned = op.hasTrait(OpTrait.CONSTANT) || op.hasTrait(OpTrait.VARIABLE);
    long total = 0;
    for (int k = 0; k < outs.size(); k++) {
      int s = plan.outputBase[i] + k;
      Tensor t = outs.get(k);
      if (plan.slotFed[s] || t == null) {
        continue; // a feed overrides what the op computed
      }
      int alias = -1;
      for (int j = 0; j < inputs.length && alias < 0; j++) {
        if (inputs[j] != null && sameStorage(t, inputs[j])) {
          alias = root[in[j]];
        }
      }
      for (int j = 0; j < k && alias < 0; j++) {
        int earlier = plan.outputBase[i] + j;
        Tensor e = outs.get(j);
        if (e != null && !plan.slotFed[earlier] && sameStorage(t, e)) {
          alias = root[earlier]; // one tensor returned for two outputs
        }
      }
      if (alias >= 0) {
        root[s] = alias;
        rootRefs.incrementAndGet(alias);
      } else {
        root[s] = s;
        owned[s] = !stateOwned && !isVariableValue(op, inputs, t);
        // Only an array this very call was lent may go back: not a cached or shared one.
        recyclable[s] = owned[s] && loan.lent(t);
        rootTensor[s] = owned[s] ? t : null;
        rootRefs.set(s, 1);
        if (owned[s]) {
          bytes[s] = t.dtype() == DType.STRING ? 0 : t.data().byteSize();
          total += bytes[s];
          long now = live.addAndGet(bytes[s]);
          peak.accumulateAndGet(now, Math::max);
        }
      }
      values.set(s, t);
      if (uses.get(s) == 0) {
        releaseSlot(s);
      }
    }
    return total;
  }

  /** True if {@code t} is the current value of a variable the op takes by reference. */
  private boolean isVariableValue(Operation op, Tensor[] inputs, Tensor t) {
    for (int j = 0; j < op.numInputs(); j++) {
      if (op.def().inputs().get(argIndex(op, j)).isRef()) {
        Tensor v = variables.slot(op.input(j).op()).value();
        if (v != null && sameStorage(t, v)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean sameStorage(Tensor a, Tensor b) {
    if (a == b) {
      return true;
    }
    if (a.dtype() == DType.STRING || b.dtype() == DType.STRING) {
      return false;
    }
    return a.data().byteSize() > 0 && a.data().equals(b.data());
  }

  private void releaseUse(int s) {
    if (uses.decrementAndGet(s) == 0) {
      releaseSlot(s);
    }
  }

  private void releaseSlot(int s) {
    values.set(s, null);
    int r = root[s];
    if (rootRefs.decrementAndGet(r) == 0 && owned[r]) {
      live.addAndGet(-bytes[r]);
      Tensor t = rootTensor[r];
      rootTensor[r] = null;
      if (t == null) {
        return;
      }
      twins.released(t);
      if (!recyclable[r] || escaped.contains(storage(t)) || !buffers.recycle(t)) {
        t.close();
      }
    }
  }

  /** The heap array behind {@code t} (or a marker for storage that has none). */
  private static Object storage(Tensor t) {
    return t.dtype() == DType.STRING ? t : t.data().heapBase().orElse(t);
  }

  /** After a failure: drop every value and close owned native storage. */
  private void releaseAll() {
    for (int s = 0; s < plan.numSlots; s++) {
      values.set(s, null);
      Tensor t = rootTensor[s];
      rootTensor[s] = null;
      if (t != null) {
        t.close();
      }
    }
  }

  /**
   * A variable slot that notes what a kernel assigns to it: the variable keeps it, so it is never
   * recycled.
   */
  private final class EscapeTracking implements VariableSlot {
    private final VariableSlot slot;

    EscapeTracking(VariableSlot slot) {
      this.slot = slot;
    }

    @Override
    public String name() {
      return slot.name();
    }

    @Override
    public Tensor value() {
      return slot.value();
    }

    @Override
    public void assign(Tensor value) {
      escaped.add(storage(value));
      slot.assign(value);
    }
  }

  private final class Context implements KernelContext {
    private final Operation op;
    private final Tensor[] inputs;

    Context(Operation op, Tensor[] inputs) {
      this.op = op;
      this.inputs = inputs;
    }

    @Override
    public Operation op() {
      return op;
    }

    @Override
    public Kernels kernels() {
      return kernels;
    }

    @Override
    public int numInputs() {
      return inputs.length;
    }

    @Override
    public Tensor input(int i) {
      return inputs[i];
    }

    @Override
    public VariableSlot variable(int i) {
      return new EscapeTracking(variables.slot(op.input(i).op()));
    }

    @Override
    public VariableSlot ownVariable() {
      return new EscapeTracking(variables.slot(op));
    }

    @Override
    public IntraOp intraOp() {
      return intraOp;
    }
  }
}
