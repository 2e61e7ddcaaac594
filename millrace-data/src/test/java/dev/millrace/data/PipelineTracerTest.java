package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The optional tracing hook: worker threads report their busy intervals per chunk, on their own
 * thread, and tracing changes nothing the pipeline produces.
 */
class PipelineTracerTest {
  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  private record Work(String stage, String thread, long start, long end) {}

  /** Collects every report with the reporting thread's name. */
  private static final class Recorder implements PipelineTracer {
    final Queue<Work> works = new ConcurrentLinkedQueue<>();

    @Override
    public void work(String stage, long startNanos, long endNanos) {
      works.add(new Work(stage, Thread.currentThread().getName(), startNanos, endNanos));
    }

    List<Work> of(String stage) {
      return works.stream().filter(w -> w.stage().equals(stage)).toList();
    }

    Set<String> threadsOf(String stage) {
      return of(stage).stream().map(Work::thread).collect(Collectors.toSet());
    }
  }

  /** Where and when the map function ran for each element. */
  private record Call(String thread, long at) {}

  private static long spin(long x, long nanos) {
    long until = System.nanoTime() + nanos;
    long h = x;
    while (System.nanoTime() < until) {
      h = h * 31 + 7;
    }
    return h == 42 ? x + 1 : x;
  }

  @Test
  void tracedParallelMapReportsWorkOnItsWorkerThreadsCoveringEveryElement() {
    Recorder tracer = new Recorder();
    Map<Long, Call> calls = new ConcurrentHashMap<>();
    Dataset<Long> d =
        Dataset.range(600)
            .map(
                x -> {
                  calls.put(x, new Call(Thread.currentThread().getName(), System.nanoTime()));
                  return spin(x, 20_000);
                },
                Parallelism.of(3))
            .withOptions(Options.defaults().tracer(tracer));
    long before = System.nanoTime();
    List<Long> out = d.toList();
    long after = System.nanoTime();

    assertThat(out).isEqualTo(LongStream.range(0, 600).boxed().toList());
    List<Work> map = tracer.of("map#1");
    assertThat(map).isNotEmpty();
    String me = Thread.currentThread().getName();
    for (Work w : tracer.works) {
      assertThat(w.thread()).startsWith("millrace-data-").isNotEqualTo(me);
      assertThat(w.start()).isBetween(before, w.end());
      assertThat(w.end()).isLessThanOrEqualTo(after);
    }
    // Each element was mapped inside a reported interval of the map, on the same thread.
    for (Map.Entry<Long, Call> e : calls.entrySet()) {
      Call c = e.getValue();
      assertThat(map)
          .as("element %d mapped on %s", e.getKey(), c.thread())
          .anyMatch(w -> w.thread().equals(c.thread()) && w.start() <= c.at() && c.at() <= w.end());
    }
    long mapped = map.stream().mapToLong(w -> w.end() - w.start()).sum();
    assertThat(mapped)
        .isGreaterThanOrEqualTo(600 * 20_000L)
        .isLessThanOrEqualTo(3 * (after - before));
    // The synchronous source ran on the workers under the input lock: reported as its own work.
    assertThat(tracer.of("range#0")).isNotEmpty();
    assertThat(tracer.threadsOf("range#0")).allMatch(t -> t.startsWith("millrace-data-"));
    assertNoOverlapPerThread(tracer.works);
  }

  @Test
  void prefetchReportsItsSynchronousInputOnItsThread() {
    Recorder tracer = new Recorder();
    Map<Long, Call> calls = new ConcurrentHashMap<>();
    List<Long> out =
        Dataset.range(300)
            .map(
                x -> {
                  calls.put(x, new Call(Thread.currentThread().getName(), System.nanoTime()));
                  return x * 2;
                })
            .prefetch(8)
            .withOptions(Options.defaults().tracer(tracer))
            .toList();

    assertThat(out).isEqualTo(LongStream.range(0, 300).map(x -> x * 2).boxed().toList());
    assertThat(tracer.threadsOf("map#1")).hasSize(1).allMatch(t -> t.startsWith("millrace-data-"));
    for (Call c : calls.values()) {
      assertThat(tracer.of("map#1"))
          .anyMatch(w -> w.thread().equals(c.thread()) && w.start() <= c.at() && c.at() <= w.end());
    }
    assertNoOverlapPerThread(tracer.works);
  }

  @Test
  void pullingAnAsynchronousStageIsNotReportedAsWork() {
    Recorder tracer = new Recorder();
    List<Batch> out =
        Dataset.range(400)
            .map(x -> Features.of("x", dev.millrace.tensor.Tensor.scalar(x)), Parallelism.of(2))
            .batch(10, false)
            .prefetch(2)
            .withOptions(Options.defaults().tracer(tracer))
            .toList();

    assertThat(out).hasSize(40);
    // The fused batch is stacked by the map's workers; the prefetch thread only takes its
    // chunks, so no thread reports the batch without also mapping.
    assertThat(tracer.of("batch#2")).isNotEmpty();
    assertThat(tracer.threadsOf("map#1")).containsAll(tracer.threadsOf("batch#2"));
    assertThat(tracer.works).noneMatch(w -> w.stage().startsWith("prefetch"));
    assertNoOverlapPerThread(tracer.works);
  }

  @Test
  void tracingDoesNotChangeTheElementsOfASeededPipeline() {
    Recorder tracer = new Recorder();
    Options seeded = Options.defaults().seed(11).maxParallelism(3);
    List<Batch> plain = seededPipeline().withOptions(seeded).toList();
    List<Batch> traced = seededPipeline().withOptions(seeded.tracer(tracer)).toList();

    assertThat(traced).isEqualTo(plain).hasSize(25);
    Set<String> stages = tracer.works.stream().map(Work::stage).collect(Collectors.toSet());
    assertThat(stages).contains("interleave#1/map#1", "shuffle#2", "map#3", "batch#4");
    assertNoOverlapPerThread(tracer.works);
  }

  private static Dataset<Batch> seededPipeline() {
    return Dataset.range(4)
        .interleave(x -> Dataset.range(100).map(v -> v * 4 + x), 2, 3, Parallelism.of(2))
        .shuffle(50)
        .map(
            (Long x, ElementRandom r) ->
                Features.of("x", dev.millrace.tensor.Tensor.scalar(x * 1000 + r.nextInt(1000))),
            Parallelism.AUTOTUNE)
        .batch(16, false)
        .prefetch(Parallelism.AUTOTUNE);
  }

  @Test
  void optionsHaveNoTracerByDefault() {
    PipelineTracer t = (stage, start, end) -> {};
    assertThat(Options.defaults().tracer()).isEmpty();
    assertThat(Options.defaults().tracer(t).tracer()).containsSame(t);
    assertThat(Options.defaults().tracer(t).seed(3).autotune(false).tracer()).containsSame(t);
    assertThat(Options.defaults().tracer(t).tracer(null).tracer()).isEmpty();
  }

  private static void assertNoOverlapPerThread(Queue<Work> works) {
    Map<String, List<Work>> byThread =
        works.stream().collect(Collectors.groupingBy(Work::thread, Collectors.toList()));
    for (List<Work> list : byThread.values()) {
      List<Work> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingLong(Work::start));
      for (int i = 1; i < sorted.size(); i++) {
        assertThat(sorted.get(i).start())
            .as("%s starts before %s ends", sorted.get(i), sorted.get(i - 1))
            .isGreaterThanOrEqualTo(sorted.get(i - 1).end());
      }
    }
  }
}
