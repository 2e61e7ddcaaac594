package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A parallel {@code map} followed by a built-in {@code batch} runs as one fused stage whose workers
 * stack the batches. These tests hold the fused stage to the batches, errors, statistics and
 * checkpoints of the same pipeline run without fusion (a sequential map before the batch).
 */
class MapBatchFusionTest {
  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  private static Features element(long i) {
    return Features.of(
        "x", Tensor.scalar(i), "sq", Tensor.ofLongs(dev.millrace.tensor.Shape.of(2), i, i * i));
  }

  private static final Options SEEDED = Options.defaults().seed(7).maxParallelism(4);

  /** A random function of the element: fused and unfused must use the same per-element seeds. */
  private static Features noisy(Long i, ElementRandom random) {
    return element(i * 1000 + random.nextInt(1000));
  }

  private static Dataset<Batch> fused(int n, int size, boolean drop, int threads) {
    return Dataset.range(n)
        .map(MapBatchFusionTest::noisy, Parallelism.of(threads))
        .batch(size, drop)
        .withOptions(SEEDED);
  }

  private static Dataset<Batch> sequential(int n, int size, boolean drop) {
    return Dataset.range(n).map(MapBatchFusionTest::noisy).batch(size, drop).withOptions(SEEDED);
  }

  static LongStream seeds40() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds40")
  void fusedBatchesAreTheSequentialOnes(long seed) {
    Random rnd = new Random(seed);
    // Every thread count with and without dropping the remainder in turn; the first three empty.
    int threads = (int) (seed % 3) + 1;
    boolean drop = seed / 3 % 2 == 0;
    int n = seed < 3 ? 0 : rnd.nextInt(0, 301);
    int size = rnd.nextInt(1, 71);
    assertThat(fused(n, size, drop, threads).toList())
        .isEqualTo(sequential(n, size, drop).toList());
    TestSupport.assertNoPipelineThreads();
  }

  /** A feature of 1 to 4 copies of {@code i}: batches of these need padding or ragged rows. */
  private static Features variableLength(long i) {
    long[] values = new long[(int) (i % 4) + 1];
    java.util.Arrays.fill(values, i);
    return Features.of("t", Tensor.ofLongs(dev.millrace.tensor.Shape.of(values.length), values));
  }

  @Test
  void paddedAndRaggedBatchesAreFusedToo() {
    Dataset<Features> lengths =
        Dataset.range(50).map(MapBatchFusionTest::variableLength, Parallelism.of(3));
    Dataset<Features> inline = Dataset.range(50).map(MapBatchFusionTest::variableLength);
    assertThat(lengths.paddedBatch(8, false, Padding.zeros()).toList())
        .isEqualTo(inline.paddedBatch(8, false, Padding.zeros()).toList());
    assertThat(lengths.raggedBatch(8, true).toList())
        .isEqualTo(inline.raggedBatch(8, true).toList());
  }

  @Test
  void unorderedFusedBatchesHoldConsecutiveElementsAndAllOfThem() {
    List<Batch> any =
        new ArrayList<>(
            Dataset.range(1000)
                .map(MapBatchFusionTest::element, Parallelism.of(3))
                .batch(16, false)
                .withOptions(Options.defaults().deterministic(false))
                .toList());
    any.sort(Comparator.comparingLong(b -> b.get("x").getLong(0)));
    assertThat(any)
        .isEqualTo(Dataset.range(1000).map(MapBatchFusionTest::element).batch(16, false).toList());
  }

  @Test
  void theWorkersStackAndBothStagesKeepTheirCounters() {
    try (DatasetIterator<Batch> it = fused(1000, 10, false, 2).iterator()) {
      int batches = 0;
      while (it.hasNext()) {
        it.next();
        batches++;
      }
      assertThat(batches).isEqualTo(100);
      PipelineStats stats = it.stats();
      StageStats map =
          stats.stages().stream().filter(s -> s.kind().equals("map")).findFirst().orElseThrow();
      StageStats batch =
          stats.stages().stream().filter(s -> s.kind().equals("batch")).findFirst().orElseThrow();
      assertThat(map.elements()).isEqualTo(1000);
      assertThat(batch.elements()).isEqualTo(100);
      // The batch stage runs on the map's two workers, not on the consumer's thread.
      assertThat(batch.parallelism()).isEqualTo(2);
      assertThat(batch.busyNanos()).isPositive();
      assertThat(batch.bytes()).isPositive();
    }
  }

  @Test
  void aFailedElementFailsItsBatchWithTheElementsIndexAndStopsEverything() {
    Dataset<Batch> d =
        Dataset.range(1000)
            .map(
                x -> {
                  if (x == 437) {
                    throw new ArithmeticException("boom at 437");
                  }
                  return element(x);
                },
                Parallelism.of(2))
            .batch(100, false);
    List<Batch> seen = new ArrayList<>();
    DatasetIterator<Batch> it = d.iterator();
    assertThatThrownBy(
            () -> {
              while (it.hasNext()) {
                seen.add(it.next());
              }
            })
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("map#1")
        .hasMessageContaining("437")
        .hasRootCauseMessage("boom at 437");
    assertThat(seen).hasSize(4);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aFailingBatchIsReportedByTheBatchStageWithItsBatchIndex() {
    Dataset<Batch> d =
        Dataset.range(100)
            .map(x -> x == 55 ? Features.of("y", Tensor.scalar(x)) : element(x), Parallelism.of(2))
            .batch(10, false);
    assertThatThrownBy(d::toList)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("batch#2")
        .hasMessageContaining("5");
  }

  @Test
  void withIgnoreErrorsDownstreamOnlyTheFailedElementIsLost() {
    ElementFunction<Long, Features> failsOnSevens =
        x -> {
          if (x % 7 == 3) {
            throw new IllegalStateException("bad " + x);
          }
          return element(x);
        };
    List<Batch> parallel =
        Dataset.range(200)
            .map(failsOnSevens, Parallelism.of(3))
            .batch(8, false)
            .ignoreErrors()
            .toList();
    List<Batch> inline =
        Dataset.range(200).map(failsOnSevens).batch(8, false).ignoreErrors().toList();
    assertThat(parallel).isEqualTo(inline);
    assertThat(parallel.stream().mapToInt(Batch::size).sum()).isEqualTo(200 - 29);
  }

  static LongStream seeds15() {
    return LongStream.range(0, 15);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds15")
  void aCheckpointTakenMidwayResumesWithTheNextBatch(long seed) throws Exception {
    Random rnd = new Random(seed);
    // Every thread count with and without dropping the remainder in turn; the first cases stop
    // before the first batch or after the last (40).
    int threads = (int) (seed % 3) + 1;
    boolean drop = seed / 3 % 2 == 0;
    int stopAfter = seed < 6 ? (seed % 2 == 0 ? 0 : 40) : rnd.nextInt(0, 41);
    Dataset<Batch> d = fused(397, 10, drop, threads);
    List<Batch> all = d.toList();
    List<Batch> resumed = new ArrayList<>();
    IteratorCheckpoint cp;
    try (DatasetIterator<Batch> it = d.iterator()) {
      for (int i = 0; i < stopAfter && it.hasNext(); i++) {
        resumed.add(it.next());
      }
      cp = IteratorCheckpoint.fromBytes(it.checkpoint().toBytes());
    }
    try (DatasetIterator<Batch> it = d.iterator(cp)) {
      while (it.hasNext()) {
        resumed.add(it.next());
      }
    }
    assertThat(resumed).isEqualTo(all);
    TestSupport.assertNoPipelineThreads();
  }
}
