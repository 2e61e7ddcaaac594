package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionTest {
  /** A registry with a test op that sleeps, counting its executions. */
  private static final AtomicInteger SLEEPS = new AtomicInteger();

  private static final OpRegistry REGISTRY = withSleepOp();

  private static OpRegistry withSleepOp() {
    OpRegistry r = OpRegistry.withBuiltins();
    r.register(
        OpDef.builder("TestSleep")
            .input("x", "T")
            .output("y", "T")
            .typeAttr("T")
            .attr("millis", AttrType.INT, AttrValue.of(200L))
            .shape(c -> List.of(c.inputShape(0)))
            .kernel(
                op ->
                    ctx -> {
                      SLEEPS.incrementAndGet();
                      try {
                        Thread.sleep(op.attrInt("millis"));
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                      }
                      return List.of(ctx.input(0).copy());
                    })
            .build());
    return r;
  }

  private static Output<?> sleep(Ops tf, Operand<?> x, long millis) {
    return tf.op("TestSleep", List.of(x), Map.of("millis", AttrValue.of(millis))).output(0);
  }

  @Test
  void runsFeedsAndFetchesByOutputAndByName() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.withName("x").placeholder(FLOAT32, Shape.of(2));
      Output<Float32> y = tf.withName("y").mul(x, tf.constant(3f));
      try (Session.Result r =
          s.runner().feed("x:0", Tensor.ofFloats(Shape.of(2), 1, 2)).fetch("y").fetch(y).run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(3, 6);
        assertThat(r.get(y).toFloatArray()).containsExactly(3, 6);
        assertThat(r.size()).isEqualTo(2);
      }
    }
  }

  @Test
  void aControlDependencyOnAFedPlaceholderIsMetByTheFeed() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.withName("x").placeholder(FLOAT32, Shape.of(2));
      // As quantize_nodes writes it: a constant that waits for the tensor it describes.
      Output<Float32> three =
          tf.withControlDependencies(List.of(x.op())).withName("three").constant(3f);
      Output<Float32> y = tf.withName("y").mul(x, three);
      try (Session.Result r =
          s.runner().feed("x:0", Tensor.ofFloats(Shape.of(2), 1, 2)).fetch(y).run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(3, 6);
      }
    }
  }

  @Test
  void unfetchedBranchDoesNotRun() {
    SLEEPS.set(0);
    try (Graph g = new Graph(REGISTRY);
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> a = tf.constant(1f);
      Output<?> branch = sleep(tf, a, 1);
      Output<Float32> unfed = tf.placeholder(FLOAT32, Shape.scalar());
      Output<Float32> other = tf.withName("other").add(unfed, a);
      Output<Float32> wanted = tf.withName("wanted").neg(a);
      try (Session.Result r = s.runner().fetch(wanted).run()) {
        assertThat(r.get(0).getFloat(0)).isEqualTo(-1f);
        Set<String> ran =
            r.stats().ops().stream().map(RunStats.OpStat::name).collect(Collectors.toSet());
        assertThat(ran).contains("wanted").doesNotContain(branch.op().name(), "other");
      }
      assertThat(SLEEPS.get()).isZero();
      assertThat(other.op().name()).isEqualTo("other");
    }
  }

  @Test
  void feedingAnIntermediateCutsOffItsProducers() {
    SLEEPS.set(0);
    try (Graph g = new Graph(REGISTRY);
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<?> slow = sleep(tf, tf.constant(1f), 1);
      Output<Float32> y = tf.neg(slow.expect(FLOAT32));
      try (Session.Result r = s.runner().feed(slow, Tensor.scalar(5f)).fetch(y).run()) {
        assertThat(r.get(0).getFloat(0)).isEqualTo(-5f);
      }
      assertThat(SLEEPS.get()).isZero();
    }
  }

  @Test
  void independentSlowOpsOverlapOnTwoInterOpThreads() {
    try (Graph g = new Graph(REGISTRY);
        Session two = new Session(g, ThreadConfig.of(2, 1));
        Session one = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> a = tf.constant(1f);
      Output<?> left = sleep(tf.withName("left"), a, 300);
      Output<?> right = sleep(tf.withName("right"), tf.constant(2f), 300);
      RunStats parallel = two.runner().fetch(left).fetch(right).run().stats();
      // Both sleeping at once is structural, not a timing: it holds however loaded the machine is.
      assertThat(overlap(parallel)).as("%s", parallel).isPositive();
      RunStats serial = one.runner().fetch(left).fetch(right).run().stats();
      assertThat(overlap(serial)).isLessThanOrEqualTo(0);
    }
  }

  private static long overlap(RunStats stats) {
    RunStats.OpStat l = find(stats, "left");
    RunStats.OpStat r = find(stats, "right");
    long start = Math.max(l.startNanos(), r.startNanos());
    long end = Math.min(l.startNanos() + l.durationNanos(), r.startNanos() + r.durationNanos());
    return end - start;
  }

  private static RunStats.OpStat find(RunStats stats, String name) {
    return stats.ops().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void closeStopsEverySessionThread() throws InterruptedException {
    Set<Thread> before = sessionThreads();
    try (Graph g = new Graph()) {
      Session s = new Session(g, ThreadConfig.of(3, 2));
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(64, 64));
      Output<Float32> y = tf.matmul(x, x);
      s.runner().feed(x, Tensor.zeros(DType.FLOAT32, Shape.of(64, 64))).fetch(y).run();
      Set<Thread> during = sessionThreads();
      during.removeAll(before);
      assertThat(during).isNotEmpty().allMatch(t -> t.getName().startsWith("millrace-session-"));
      s.close();
      for (Thread t : during) {
        t.join(30_000); // a bound for a hang only: a stopped thread returns at once
      }
      assertThat(during).noneMatch(Thread::isAlive);
      assertThatThrownBy(() -> s.runner().fetch(y).run())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  private static Set<Thread> sessionThreads() {
    Set<Thread> out = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("millrace-session-")) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void peakIntermediateMemoryOfADeepChainDoesNotGrowWithItsLength() {
    long bytes = 128 * 128 * 4;
    long shallow = chainPeak(5);
    long deep = chainPeak(200);
    assertThat(deep).isEqualTo(shallow);
    // The op running holds its input and output; the feed is not an intermediate.
    assertThat(deep).isBetween(bytes, 2 * bytes);
  }

  private static long chainPeak(int length) {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(128, 128));
      Output<Float32> h = x;
      for (int i = 0; i < length; i++) {
        h = tf.neg(h);
      }
      try (Session.Result r =
          s.runner().feed(x, Tensor.zeros(DType.FLOAT32, Shape.of(128, 128))).fetch(h).run()) {
        assertThat(r.stats().ops()).hasSize(length);
        return r.stats().peakLiveBytes();
      }
    }
  }

  @Test
  void nativeIntermediatesAreClosedOnceTheirLastConsumerHasRun() {
    List<Tensor> produced = new java.util.concurrent.CopyOnWriteArrayList<>();
    ReferenceKernels reference = new ReferenceKernels();
    // Kernels whose elementwise results live off-heap, to watch them being freed.
    Kernels nativeKernels =
        (Kernels)
            java.lang.reflect.Proxy.newProxyInstance(
                Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class},
                (proxy, method, args) -> {
                  Object result = method.invoke(reference, args);
                  if (method.getName().equals("unary")) {
                    Tensor heap = (Tensor) result;
                    Tensor off = Tensor.allocateNative(heap.dtype(), heap.shape());
                    off.data().copyFrom(heap.data());
                    produced.add(off);
                    return off;
                  }
                  return result;
                });
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1), nativeKernels)) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(4));
      Output<Float32> a = tf.neg(x);
      Output<Float32> view = tf.reshape(a, 2, 2);
      Output<Float32> b = tf.square(tf.reshape(view, 4));
      Output<Float32> c = tf.neg(b);
      try (Session.Result r =
          s.runner().feed(x, Tensor.ofFloats(Shape.of(4), 1, 2, 3, 4)).fetch(c).run()) {
        assertThat(produced).hasSize(3);
        assertThat(produced.subList(0, 2)).noneMatch(t -> t.data().scope().isAlive());
        assertThat(r.get(0).data().scope().isAlive()).isTrue();
        assertThat(r.get(0).toFloatArray()).containsExactly(-1, -4, -9, -16);
      }
      assertThat(produced.get(2).data().scope().isAlive()).isFalse();
    }
  }

  @Test
  void interruptingTheCallerCancelsTheRun() throws InterruptedException {
    try (Graph g = new Graph(REGISTRY);
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      // The first op outlasts any stall between its start and the interrupt many times over,
      // so the interrupt always lands while it runs.
      Output<?> first = sleep(tf, tf.constant(1f), 3_000);
      Output<?> second = sleep(tf, first, 300);
      java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
          new java.util.concurrent.atomic.AtomicReference<>();
      SLEEPS.set(0);
      Thread caller =
          new Thread(
              () -> {
                try {
                  s.runner().fetch(second).run();
                } catch (Throwable t) {
                  thrown.set(t);
                }
              });
      caller.start();
      while (SLEEPS.get() == 0 && caller.isAlive()) {
        Thread.sleep(1);
      }
      caller.interrupt();
      caller.join(30_000);
      assertThat(thrown.get()).isInstanceOf(java.util.concurrent.CancellationException.class);
      assertThat(SLEEPS.get()).isEqualTo(1); // the running op finished; the next never started
    }
  }

  @Test
  void missingKernelForATypeIsReportedWithTheOp() {
    OpRegistry r = OpRegistry.withBuiltins();
    r.register(
        OpDef.builder("FloatOnly")
            .input("x", "T")
            .output("y", "T")
            .typeAttr("T")
            .shape(c -> List.of(c.inputShape(0)))
            .kernel(Set.of(DType.FLOAT32), op -> ctx -> List.of(ctx.input(0)))
            .build());
    try (Graph g = new Graph(r);
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<?> y = tf.withName("f").op("FloatOnly", List.of(tf.constant(1.0)), Map.of()).output(0);
      assertThatThrownBy(() -> s.runner().fetch(y).run())
          .isInstanceOf(OpExecutionException.class)
          .hasMessageContaining("FloatOnly 'f'")
          .hasMessageContaining("no kernel registered for type FLOAT64");
    }
  }

  @Test
  void kernelErrorsNameTheOperationAndItsType() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> logits = tf.constant(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
      Output<?> loss =
          tf.withName("xent")
              .nn
              .sparseSoftmaxCrossEntropyWithLogits(
                  logits, tf.constant(INT64, Tensor.ofLongs(Shape.of(2), 0, 7)));
      assertThatThrownBy(() -> s.runner().fetch(loss).run())
          .isInstanceOf(OpExecutionException.class)
          .hasMessageStartingWith("SparseSoftmaxCrossEntropyWithLogits 'xent': ")
          .satisfies(
              e -> {
                OpExecutionException ex = (OpExecutionException) e;
                assertThat(ex.opName()).isEqualTo("xent");
                assertThat(ex.opType()).isEqualTo("SparseSoftmaxCrossEntropyWithLogits");
              });
    }
  }

  @Test
  void unfedPlaceholderAndBadFeedsAreReported() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.withName("input").placeholder(FLOAT32, Shape.of(-1, 3));
      Output<Float32> y = tf.neg(x);
      assertThatThrownBy(() -> s.runner().fetch(y).run())
          .isInstanceOf(OpExecutionException.class)
          .hasMessageContaining("Placeholder 'input'")
          .hasMessageContaining("must be fed");
      assertThatThrownBy(
              () -> s.runner().feed(x, Tensor.zeros(DType.FLOAT32, Shape.of(2, 4))).fetch(y).run())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("input:0")
          .hasMessageContaining("[2, 4]")
          .hasMessageContaining("[?, 3]");
      assertThatThrownBy(
              () -> s.runner().feed(x, Tensor.zeros(DType.FLOAT64, Shape.of(2, 3))).fetch(y).run())
          .hasMessageContaining("FLOAT64")
          .hasMessageContaining("FLOAT32");
    }
  }

  @Test
  void variablesAreInitialisedOnFirstReadAndPersistBetweenRuns() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      Ops tf = Ops.on(g);
      Variable<Float32> v =
          tf.withName("counter").variable(FLOAT32, Shape.of(2), Initializers.constant(1));
      Output<Float32> inc = tf.assignAdd(v, tf.constant(new float[] {1, 2}));
      assertThat(s.isInitialized(v)).isFalse();
      s.runner().target(inc.op()).run();
      s.runner().target(inc.op()).run();
      try (Session.Result r = s.runner().fetch(v).run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(3, 5);
      }
      assertThat(s.readVariable(v).toFloatArray()).containsExactly(3, 5);
      s.initialize();
      assertThat(s.readVariable(v).toFloatArray()).containsExactly(1, 1);
      s.writeVariable(v, Tensor.ofFloats(Shape.of(2), 7, 8));
      assertThat(s.readVariable(v).toFloatArray()).containsExactly(7, 8);
    }
  }

  @Test
  void fetchedVariableIsASnapshotNotTheLiveValue() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Variable<Float32> v = tf.variable(FLOAT32, Shape.of(1), Initializers.zeros());
      Output<Float32> inc = tf.assignAdd(v, tf.constant(new float[] {1}));
      Tensor before = s.runner().fetch(v).run().get(0);
      s.runner().target(inc.op()).run();
      assertThat(before.getFloat(0)).isZero();
    }
  }

  @Test
  void readingAVariableWithoutInitializerFailsNamingIt() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Operation v =
          g.addOperation(
              "VariableV2",
              "w",
              List.of(),
              Map.of("dtype", AttrValue.of(DType.FLOAT32), "shape", AttrValue.of(Shape.of(2))));
      Output<?> y = Ops.on(g).op("Neg", List.of(v.output(0)), Map.of()).output(0);
      assertThatThrownBy(() -> s.runner().fetch(y).run())
          .isInstanceOf(OpExecutionException.class)
          .hasMessageContaining("Neg 'Neg'")
          .hasMessageContaining("variable 'w'")
          .hasMessageContaining("not initialized");
    }
  }

  @Test
  void intraOpSplittingGivesBitIdenticalResults() {
    Random rnd = new Random(3);
    float[] xv = new float[4 * 12 * 12 * 8];
    float[] fv = new float[3 * 3 * 8 * 16];
    for (int i = 0; i < xv.length; i++) {
      xv[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < fv.length; i++) {
      fv[i] = (float) rnd.nextGaussian();
    }
    Tensor x = Tensor.ofFloats(Shape.of(4, 12, 12, 8), xv);
    try (Graph g = new Graph();
        Session serial = new Session(g, ThreadConfig.of(1, 1));
        Session split = new Session(g, ThreadConfig.of(1, 3))) {
      Ops tf = Ops.on(g);
      Output<Float32> in = tf.placeholder(FLOAT32, Shape.of(-1, 12, 12, 8));
      Output<Float32> y =
          tf.nn.conv2d(
              in,
              tf.constant(Shape.of(3, 3, 8, 16), fv),
              Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC));
      Output<Float32> z =
          tf.matmul(tf.reshape(y, 4 * 12 * 12, 16), tf.constant(Shape.of(16, 2), new float[32]));
      float[] a = serial.runner().feed(in, x).fetch(y).run().get(0).toFloatArray();
      float[] b = split.runner().feed(in, x).fetch(y).run().get(0).toFloatArray();
      assertThat(b).containsExactly(a);
      assertThat(split.runner().feed(in, x).fetch(z).run().get(0).shape())
          .isEqualTo(Shape.of(576, 2));
    }
  }

  @Test
  void fetchedConstantIsACopy() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1), new ReferenceKernels())) {
      Output<Float32> c = Ops.on(g).constant(new float[] {1, 2});
      Tensor t = s.runner().fetch(c).run().get(0);
      t.setFloat(0, 99);
      assertThat(s.runner().fetch(c).run().get(0).getFloat(0)).isEqualTo(1f);
    }
  }

  @Test
  void threadConfigCountsPhysicalCoresAndHonoursTheEnvironment() {
    String cpuinfo =
        "processor\t: 0\nphysical id\t: 0\ncore id\t: 0\n\n"
            + "processor\t: 1\nphysical id\t: 0\ncore id\t: 0\n\n"
            + "processor\t: 2\nphysical id\t: 0\ncore id\t: 1\n\n"
            + "processor\t: 3\nphysical id\t: 1\ncore id\t: 0\n";
    assertThat(ThreadConfig.parsePhysicalCores(cpuinfo)).isEqualTo(3);
    assertThat(ThreadConfig.parsePhysicalCores("processor : 0\n")).isZero();
    assertThat(ThreadConfig.detectPhysicalCores())
        .isBetween(1, Runtime.getRuntime().availableProcessors());
    assertThat(ThreadConfig.fromEnvironment(Map.of(), 4)).isEqualTo(ThreadConfig.of(4, 4));
    assertThat(ThreadConfig.fromEnvironment(Map.of(ThreadConfig.INTRA_OP_ENV, "2"), 4))
        .isEqualTo(ThreadConfig.of(4, 2));
    assertThatThrownBy(
            () -> ThreadConfig.fromEnvironment(Map.of(ThreadConfig.INTER_OP_ENV, "zero"), 4))
        .hasMessageContaining("MILLRACE_INTER_OP_THREADS=zero");
    assertThatThrownBy(() -> ThreadConfig.of(0, 1)).hasMessageContaining("inter-op 0");
  }
}
