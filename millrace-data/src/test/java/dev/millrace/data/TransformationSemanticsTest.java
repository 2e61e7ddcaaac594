package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each transformation against its tf.data namesake's documented behaviour. */
class TransformationSemanticsTest {
  @TempDir Path tmp;

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  private static List<Long> longs(long... v) {
    return LongStream.of(v).boxed().toList();
  }

  @Test
  void rangeCountsWithStepsBothWays() {
    assertThat(Dataset.range(5).toList()).isEqualTo(longs(0, 1, 2, 3, 4));
    assertThat(Dataset.range(2, 9, 3).toList()).isEqualTo(longs(2, 5, 8));
    assertThat(Dataset.range(5, 0, -2).toList()).isEqualTo(longs(5, 3, 1));
    assertThat(Dataset.range(3, 3).toList()).isEmpty();
  }

  @Test
  void generatorIsCalledAgainForEachEpoch() {
    AtomicInteger calls = new AtomicInteger();
    Dataset<Integer> d =
        Dataset.generate(
            () -> {
              calls.incrementAndGet();
              return List.of(1, 2).iterator();
            });
    assertThat(d.repeat(3).toList()).containsExactly(1, 2, 1, 2, 1, 2);
    assertThat(calls).hasValue(3);
  }

  @Test
  void zipStopsWithTheShorterInput() {
    List<Pair<Long, String>> out =
        Dataset.zip(Dataset.range(5), Dataset.of("a", "b", "c")).toList();
    assertThat(out).containsExactly(new Pair<>(0L, "a"), new Pair<>(1L, "b"), new Pair<>(2L, "c"));
    assertThat(
            Dataset.zip(Dataset.range(3), Dataset.range(10, 13), p -> p.first() + p.second())
                .toList())
        .isEqualTo(longs(10, 12, 14));
  }

  @Test
  void filterTakeSkipAndShard() {
    Dataset<Long> r = Dataset.range(20);
    assertThat(r.filter(x -> x % 3 == 0).toList()).isEqualTo(longs(0, 3, 6, 9, 12, 15, 18));
    assertThat(r.take(3).toList()).isEqualTo(longs(0, 1, 2));
    assertThat(r.take(0).toList()).isEmpty();
    assertThat(r.skip(17).toList()).isEqualTo(longs(17, 18, 19));
    assertThat(r.skip(25).toList()).isEmpty();
    assertThat(r.shard(6, 1).toList()).isEqualTo(longs(1, 7, 13, 19));
    assertThat(r.shard(6, 5).toList()).isEqualTo(longs(5, 11, 17));
    assertThatThrownBy(() -> r.shard(3, 3)).hasMessageContaining("range(0, 3)");
  }

  @Test
  void repeatReopensTheInputAndForeverIsEndedByTake() {
    assertThat(Dataset.range(3).repeat(2).toList()).isEqualTo(longs(0, 1, 2, 0, 1, 2));
    assertThat(Dataset.range(3).repeat().take(7).toList()).isEqualTo(longs(0, 1, 2, 0, 1, 2, 0));
    assertThat(Dataset.range(3).repeat(0).toList()).isEmpty();
    // tf.data: repeating an empty dataset forever ends at once.
    assertThat(Dataset.range(0).repeat().toList()).isEmpty();
  }

  @Test
  void batchKeepsOrDropsTheRemainder() {
    assertThat(Dataset.range(7).batch(3, false, Batcher.toList()).toList())
        .containsExactly(longs(0, 1, 2), longs(3, 4, 5), longs(6));
    assertThat(Dataset.range(7).batch(3, true, Batcher.toList()).toList())
        .containsExactly(longs(0, 1, 2), longs(3, 4, 5));
  }

  private static Features element(long i) {
    return Features.of(
        "x", Tensor.ofFloats(Shape.of(2, 2), i, i + 0.5f, -i, 1), "label", Tensor.scalar(i));
  }

  @Test
  void batchStacksEachFeatureIntoOneContiguousTensor() {
    List<Batch> batches =
        Dataset.range(5).map(TransformationSemanticsTest::element).batch(2, false).toList();
    assertThat(batches).hasSize(3);
    Batch b = batches.get(1);
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.get("x").shape()).isEqualTo(Shape.of(2, 2, 2));
    assertThat(b.get("x").toFloatArray()).containsExactly(2, 2.5f, -2, 1, 3, 3.5f, -3, 1);
    assertThat(b.get("label").shape()).isEqualTo(Shape.of(2));
    assertThat(b.get("label").toLongArray()).containsExactly(2, 3);
    assertThat(batches.get(2).get("x").shape()).isEqualTo(Shape.of(1, 2, 2));
  }

  @Test
  void batchRejectsFeaturesOfDifferentShapesNamingThem() {
    Dataset<Features> d =
        Dataset.of(
            Features.of("t", Tensor.ofLongs(Shape.of(2), 1, 2)),
            Features.of("t", Tensor.ofLongs(Shape.of(3), 1, 2, 3)));
    assertThatThrownBy(() -> d.batch(2, false).toList())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("'t'")
        .hasMessageContaining("[3]")
        .hasMessageContaining("paddedBatch");
  }

  private static Dataset<Features> variableLength() {
    return Dataset.of(
        Features.of("t", Tensor.ofLongs(Shape.of(2), 1, 2), "y", Tensor.scalar(7L)),
        Features.of("t", Tensor.ofLongs(Shape.of(0)), "y", Tensor.scalar(8L)),
        Features.of("t", Tensor.ofLongs(Shape.of(3), 4, 5, 6), "y", Tensor.scalar(9L)));
  }

  @Test
  void paddedBatchPadsToTheLongestOrAFixedShapeWithTheValueGiven() {
    Batch b = variableLength().paddedBatch(3, false, Padding.zeros()).toList().get(0);
    assertThat(b.get("t").shape()).isEqualTo(Shape.of(3, 3));
    assertThat(b.get("t").toLongArray()).containsExactly(1, 2, 0, 0, 0, 0, 4, 5, 6);
    Batch fixed =
        variableLength()
            .paddedBatch(3, false, Padding.zeros().value("t", -1).shape("t", 5))
            .toList()
            .get(0);
    assertThat(fixed.get("t").toLongArray())
        .containsExactly(1, 2, -1, -1, -1, -1, -1, -1, -1, -1, 4, 5, 6, -1, -1);
    assertThat(fixed.get("y").toLongArray()).containsExactly(7, 8, 9);
  }

  @Test
  void raggedBatchKeepsRowsAndSplitsAndUnbatchRestoresTheElements() {
    Batch b = variableLength().raggedBatch(3, false).toList().get(0);
    assertThat(b.isRagged("t")).isTrue();
    assertThat(b.isRagged("y")).isFalse();
    assertThat(b.get("t").toLongArray()).containsExactly(1, 2, 4, 5, 6);
    assertThat(b.rowSplits("t").toLongArray()).containsExactly(0, 2, 2, 5);
    List<Features> back = variableLength().raggedBatch(2, false).unbatch().toList();
    assertThat(back).isEqualTo(variableLength().toList());
  }

  @Test
  void unbatchSplitsStackedBatchesBackIntoElements() {
    Dataset<Features> elements = Dataset.range(7).map(TransformationSemanticsTest::element);
    assertThat(elements.batch(3, false).unbatch().toList()).isEqualTo(elements.toList());
  }

  @Test
  void shuffleIsAPermutationReproducibleWithASeed() {
    List<Long> a = Dataset.range(1000).shuffle(100, 42).toList();
    List<Long> b = Dataset.range(1000).shuffle(100, 42).toList();
    List<Long> c = Dataset.range(1000).shuffle(100, 43).toList();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(a).containsExactlyInAnyOrderElementsOf(Dataset.range(1000).toList());
    assertThat(a).isNotEqualTo(Dataset.range(1000).toList());
  }

  @Test
  void shuffleOutputAtPositionPComesFromTheFirstPPlusBufferSizeInputs() {
    int buffer = 10;
    List<Long> out = Dataset.range(500).shuffle(buffer, 7).toList();
    for (int p = 0; p < out.size(); p++) {
      assertThat(out.get(p)).isLessThan(p + buffer);
    }
    assertThat(Dataset.range(50).shuffle(1, 3).toList()).isEqualTo(Dataset.range(50).toList());
  }

  @Test
  void shuffleReshufflesEachEpochOnlyWhenAsked() {
    List<Long> re = Dataset.range(100).shuffle(100, 5, true).repeat(2).toList();
    List<Long> same = Dataset.range(100).shuffle(100, 5, false).repeat(2).toList();
    assertThat(re.subList(0, 100)).isNotEqualTo(re.subList(100, 200));
    assertThat(same.subList(0, 100)).isEqualTo(same.subList(100, 200));
    assertThat(Dataset.range(100).shuffle(100).withOptions(Options.defaults().seed(1)).toList())
        .isEqualTo(
            Dataset.range(100).shuffle(100).withOptions(Options.defaults().seed(1)).toList());
  }

  @Test
  void interleaveFollowsTensorFlowsCycleAndBlockOrder() {
    // The example of tf.data.Dataset.interleave's documentation.
    Dataset<Long> d = Dataset.range(1, 6).interleave(x -> Dataset.of(x).repeat(6), 2, 4);
    List<Long> expected =
        longs(
            1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5,
            5);
    assertThat(d.toList()).isEqualTo(expected);
    assertThat(
            Dataset.range(1, 6)
                .interleave(x -> Dataset.of(x).repeat(6), 2, 4, Parallelism.of(2))
                .toList())
        .isEqualTo(expected);
    assertThat(
            Dataset.range(1, 6)
                .interleave(x -> Dataset.of(x).repeat(6), 2, 4, Parallelism.AUTOTUNE)
                .prefetch(3)
                .toList())
        .isEqualTo(expected);
  }

  @Test
  void interleaveOfElementsOfDifferentLengths() {
    Dataset<Long> d = Dataset.range(1, 5).interleave(x -> Dataset.range(x * 10, x * 10 + x), 3, 1);
    assertThat(d.toList()).isEqualTo(longs(10, 20, 30, 21, 31, 40, 32, 41, 42, 43));
    assertThat(
            Dataset.range(1, 5)
                .interleave(x -> Dataset.range(x * 10, x * 10 + x), 3, 1, Parallelism.of(3))
                .toList())
        .isEqualTo(d.toList());
  }

  @Test
  void prefetchAndParallelMapKeepEveryElementInOrder() {
    List<Long> expected = LongStream.range(0, 5000).map(x -> x * x).boxed().toList();
    assertThat(Dataset.range(5000).map(x -> x * x, Parallelism.of(3)).prefetch(1).toList())
        .isEqualTo(expected);
    assertThat(
            Dataset.range(5000).prefetch(2).map(x -> x * x).prefetch(Parallelism.AUTOTUNE).toList())
        .isEqualTo(expected);
  }

  @Test
  void cacheInMemoryRunsTheInputOnce() {
    AtomicInteger calls = new AtomicInteger();
    Dataset<Long> d =
        Dataset.range(5)
            .map(
                x -> {
                  calls.incrementAndGet();
                  return x;
                })
            .cache();
    assertThat(d.repeat(3).toList()).isEqualTo(longs(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4));
    assertThat(d.toList()).isEqualTo(longs(0, 1, 2, 3, 4));
    assertThat(calls).hasValue(5);
  }

  @Test
  void cacheInMemoryKeepsNothingFromAnIterationStoppedEarly() {
    AtomicInteger calls = new AtomicInteger();
    Dataset<Long> d =
        Dataset.range(5)
            .map(
                x -> {
                  calls.incrementAndGet();
                  return x;
                })
            .cache();
    assertThat(d.take(2).toList()).isEqualTo(longs(0, 1));
    assertThat(d.toList()).isEqualTo(longs(0, 1, 2, 3, 4));
    assertThat(d.toList()).isEqualTo(longs(0, 1, 2, 3, 4));
    assertThat(calls).hasValue(2 + 5);
  }

  @Test
  void cacheInAFileIsWrittenOnceAndReadByLaterDatasets() throws Exception {
    Path file = tmp.resolve("cache.bin");
    AtomicInteger calls = new AtomicInteger();
    Dataset<Features> d =
        Dataset.range(6)
            .map(
                x -> {
                  calls.incrementAndGet();
                  return element(x);
                })
            .cache(file);
    List<Features> first = d.toList();
    assertThat(Files.exists(file)).isTrue();
    assertThat(calls).hasValue(6);
    Dataset<Features> again =
        Dataset.range(6)
            .map(
                x -> {
                  calls.incrementAndGet();
                  return element(x);
                })
            .cache(file);
    assertThat(again.toList()).isEqualTo(first);
    assertThat(calls).hasValue(6);
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("cache.bin");
    }
  }

  @Test
  void cacheFileRoundTripsEveryElementType() throws Exception {
    Batch ragged = variableLength().raggedBatch(3, false).toList().get(0);
    List<Object> items =
        List.of(
            1L,
            2,
            3.5,
            4.5f,
            "text",
            new byte[] {1, 2},
            new Pair<>(1L, "x"),
            List.of(1L, 2L),
            Tensor.ofStrings(Shape.of(2), new byte[] {9}, new byte[0]),
            ragged,
            TfRecord.of(new byte[] {5, 6}));
    List<Object> back = Dataset.fromList(items).cache(tmp.resolve("all.bin")).toList();
    back = Dataset.fromList(items).cache(tmp.resolve("all.bin")).toList();
    assertThat(back).hasSize(items.size());
    assertThat(back.get(5)).isEqualTo(new byte[] {1, 2});
    assertThat(back.get(9)).isEqualTo(ragged);
    assertThat(back.get(10)).isEqualTo(TfRecord.of(new byte[] {5, 6}));
    assertThat(back.subList(0, 5)).isEqualTo(items.subList(0, 5));
  }

  @Test
  void elementsOfSeveralEpochsStayDistinctUnderRepeatAndShuffle() {
    List<Long> out = Dataset.range(50).shuffle(10, 3).repeat(4).toList();
    for (int e = 0; e < 4; e++) {
      Set<Long> epoch = new HashSet<>(out.subList(e * 50, e * 50 + 50));
      assertThat(epoch).hasSize(50);
    }
  }

  @Test
  void datasetsAreImmutableDescriptions() {
    Dataset<Long> base = Dataset.range(3);
    Dataset<Long> mapped = base.map(x -> x + 1);
    assertThat(base.toList()).isEqualTo(longs(0, 1, 2));
    assertThat(mapped.toList()).isEqualTo(longs(1, 2, 3));
    assertThat(mapped.describe()).isEqualTo("map() <- range(0, 3, 1)");
    List<Long> seen = new ArrayList<>();
    try (DatasetIterator<Long> it = mapped.iterator()) {
      for (long x : it) {
        seen.add(x);
      }
      assertThat(it.position()).isEqualTo(3);
    }
    assertThat(seen).isEqualTo(longs(1, 2, 3));
  }

  @Test
  void stringFeaturesStackToo() {
    Dataset<Features> d =
        Dataset.of(
            Features.of("s", Tensor.ofStrings(Shape.scalar(), "ab".getBytes())),
            Features.of("s", Tensor.ofStrings(Shape.scalar(), "c".getBytes())));
    Batch b = d.batch(2, true).toList().get(0);
    assertThat(b.get("s").dtype()).isEqualTo(DType.STRING);
    assertThat(new String(b.get("s").getString(1))).isEqualTo("c");
  }
}
