package dev.millrace.bench.data;

import dev.millrace.data.Batcher;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.Parallelism;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The input pipeline's overhead target: what the pipeline itself costs per element, with a function
 * that does almost nothing — {@code range(1,000,003) → map(x + 1) → batch(128) →
 * prefetch(AUTOTUNE)}, the batcher stacking the longs into one int64 tensor. Score: ns per element
 * (target: under 1 µs).
 *
 * <ul>
 *   <li>{@link #inlineMap}: {@code map(fn)}, run by the prefetch thread as it pulls.
 *   <li>{@link #parallelMap}: {@code map(fn, 2)}, two worker threads handing over chunks.
 * </ul>
 *
 * <p>One operation is the whole range through a fresh iterator (threads started and joined), so the
 * figure includes the start-up, spread over a million elements. The count is not a multiple of 128,
 * so the last batch is a partial one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class ElementOverheadBenchmark {
  static final int ELEMENTS = 1_000_003;
  static final int BATCH = 128;

  private static final Batcher<Long, Tensor> STACK_LONGS =
      (List<Long> elements) -> {
        long[] v = new long[elements.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = elements.get(i);
        }
        return Tensor.ofLongs(Shape.of(v.length), v);
      };

  @Benchmark
  @OperationsPerInvocation(ELEMENTS)
  public long inlineMap(Blackhole bh) {
    return run(Dataset.range(ELEMENTS).map(x -> x + 1), bh);
  }

  @Benchmark
  @OperationsPerInvocation(ELEMENTS)
  public long parallelMap(Blackhole bh) {
    return run(Dataset.range(ELEMENTS).map(x -> x + 1, Parallelism.of(2)), bh);
  }

  private static long run(Dataset<Long> mapped, Blackhole bh) {
    long n = 0;
    try (DatasetIterator<Tensor> it =
        mapped.batch(BATCH, false, STACK_LONGS).prefetch(Parallelism.AUTOTUNE).iterator()) {
      while (it.hasNext()) {
        Tensor t = it.next();
        bh.consume(t);
        n += t.size();
      }
    }
    if (n != ELEMENTS) {
      throw new IllegalStateException("got " + n + " elements, expected " + ELEMENTS);
    }
    return n;
  }
}
