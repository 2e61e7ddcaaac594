package dev.millrace.bench.kernels;

import dev.millrace.kernels.KernelThreadPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The two fixed costs of every threaded kernel call that the work itself cannot hide: allocating
 * (and so zero-filling, on the calling thread) an output the size of a convolution layer's, and
 * splitting work over a {@link KernelThreadPool} of 2 ({@link #splitOfTwoShortTasks}: how soon the
 * helper joins; an empty split costs next to nothing since the caller no longer waits for a helper
 * that came too late). Score: µs per call, to set beside a layer's milliseconds. {@link
 * #clearRecycledOutput} is the first cost as a session pays it since it recycles outputs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class CallOverheadBenchmark {
  /** Output floats of the reference layers: 32×32×32×16 (layers 1–2) and 32×16×16×32 (3–4). */
  @Param({"524288", "262144"})
  public int outputFloats;

  private KernelThreadPool pool;
  private float[] recycled;

  @Setup(Level.Trial)
  public void setUp() {
    pool = KernelThreadPool.create(2);
    recycled = new float[outputFloats];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public float[] allocateOutput() {
    return new float[outputFloats];
  }

  /** What a session pays instead for an output it recycles: clearing an array used before. */
  @Benchmark
  public float[] clearRecycledOutput() {
    java.util.Arrays.fill(recycled, 0f);
    return recycled;
  }

  @Benchmark
  public void emptySplitOverTwoThreads() {
    pool.parallelFor(2, i -> {});
  }

  /** CPU work per short task: 7.7 µs on a Zen 4 host (see {@link #oneShortTaskInline}). */
  private static final long SHORT_TASK_TOKENS = 4_000;

  /**
   * Two short tasks split over the pool of 2: one short task's time when the helper takes the
   * second at once, up to two when the caller ends up running both (a helper slow to wake). Set
   * beside {@link #oneShortTaskInline}, with {@code -Dmillrace.kernels.spinMicros=0} and without.
   */
  @Benchmark
  public void splitOfTwoShortTasks() {
    pool.parallelFor(2, i -> Blackhole.consumeCPU(SHORT_TASK_TOKENS));
  }

  /** One short task on the calling thread: what a perfect split of two would take. */
  @Benchmark
  public void oneShortTaskInline() {
    Blackhole.consumeCPU(SHORT_TASK_TOKENS);
  }
}
