package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving an iterator's position and resuming from it, without losing or repeating elements. */
class CheckpointTest {
  @TempDir static Path dir;

  private static List<Path> shards;

  private static synchronized List<Path> shards() throws Exception {
    if (shards == null) {
      List<Path> files = new ArrayList<>();
      // Written once, in the class's temporary folder, and read by every test.
      Path d = java.nio.file.Files.createDirectories(dir.resolve("shards"));
      for (int s = 0; s < 4; s++) {
        files.add(
            TestSupport.numberRecords(
                d.resolve("shard-" + s + ".tfrecord"), s * 1000, 150 + 37 * s));
      }
      shards = files;
    }
    return shards;
  }

  /** Pipelines that exercise every stage that must take part in skipping. */
  private static List<Supplier<Dataset<?>>> pipelines() throws Exception {
    List<Path> files = shards();
    Options opts = Options.defaults().seed(11).maxParallelism(3);
    return List.of(
        () ->
            Dataset.tfRecords(files)
                .interleave(3, Parallelism.AUTOTUNE)
                .map(TestSupport::number, Parallelism.AUTOTUNE)
                .shuffle(64)
                .batch(10, false, Batcher.toList())
                .repeat(3)
                .prefetch(Parallelism.AUTOTUNE)
                .withOptions(opts),
        () ->
            Dataset.files(files.get(0).resolveSibling("*.tfrecord"))
                .repeat(2)
                .interleave(f -> Dataset.tfRecords(List.of(f)), 2, 3, Parallelism.of(2))
                .map(TestSupport::number)
                .filter(x -> x % 3 != 0)
                .shard(2, 1)
                .map(x -> x * 2, Parallelism.of(2))
                .withOptions(opts),
        () ->
            Dataset.range(997)
                .map(x -> x + 1)
                .cache()
                .shuffle(50, 5, true)
                .repeat(4)
                .skip(13)
                .take(3500)
                .prefetch(7)
                .withOptions(opts),
        () ->
            Dataset.zip(
                    Dataset.range(500), Dataset.range(1000, 1700).batch(3, true, Batcher.toList()))
                .map(p -> p.first() + p.second().get(0))
                .repeat(2)
                .withOptions(opts));
  }

  private static List<Object> all(Dataset<?> d) {
    return new ArrayList<>(d.toList());
  }

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  /**
   * Each of the four pipelines cut at the start, at 3000 elements (past the end of most) and at
   * random.
   */
  static LongStream seeds() {
    return LongStream.range(0, 12);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void resumingAtAnyElementLosesAndRepeatsNothing(long seed) throws Exception {
    int which = (int) (seed % 4);
    int cut =
        switch ((int) (seed / 4)) {
          case 0 -> 0;
          case 1 -> 3000;
          default -> new Random(seed).nextInt(3001);
        };
    assertResumingLosesAndRepeatsNothing(which, cut);
  }

  /** Takes {@code cut} elements of pipeline {@code which}, saves, resumes and reads the rest. */
  private static void assertResumingLosesAndRepeatsNothing(int which, int cut) throws Exception {
    Supplier<Dataset<?>> make = pipelines().get(which);
    List<Object> expected = all(make.get());
    int at = Math.min(cut, expected.size());
    List<Object> got = new ArrayList<>();
    byte[] saved;
    try (DatasetIterator<?> it = make.get().iterator()) {
      while (got.size() < at && it.hasNext()) {
        got.add(it.next());
      }
      saved = it.checkpoint().toBytes();
    }
    assertThat(saved.length).isLessThan(200);
    try (DatasetIterator<?> it = make.get().iterator(IteratorCheckpoint.fromBytes(saved))) {
      assertThat(it.position()).isEqualTo(at);
      it.forEachRemaining(got::add);
    }
    assertThat(got).isEqualTo(expected);
  }

  /** The same check with plain JUnit and a fixed random sequence of cut points. */
  @Test
  void resumingAtRandomElementsOfEveryPipelineLosesAndRepeatsNothing() throws Exception {
    java.util.Random random = new java.util.Random(20261127);
    for (int which = 0; which < pipelines().size(); which++) {
      for (int k = 0; k < 3; k++) {
        assertResumingLosesAndRepeatsNothing(which, random.nextInt(3001));
      }
    }
    TestSupport.assertNoPipelineThreads();
  }

  @Test
  void restoringDoesNotRunMapsOrBatchesForSkippedElements() {
    AtomicLong calls = new AtomicLong();
    Dataset<List<Long>> d =
        Dataset.range(100)
            .map(
                x -> {
                  calls.incrementAndGet();
                  return x;
                })
            .repeat(10)
            .batch(10, true, Batcher.toList());
    IteratorCheckpoint cp;
    try (DatasetIterator<List<Long>> it = d.iterator()) {
      for (int i = 0; i < 75; i++) {
        it.next();
      }
      cp = it.checkpoint();
    }
    calls.set(0);
    try (DatasetIterator<List<Long>> it = d.iterator(cp)) {
      assertThat(it.next()).containsExactly(50L, 51L, 52L, 53L, 54L, 55L, 56L, 57L, 58L, 59L);
      it.forEachRemaining(b -> {});
    }
    // 250 elements remain after element 750: the 750 skipped ones were never mapped.
    assertThat(calls).hasValue(250);
  }

  @Test
  void checkpointsGoThroughFilesAndRefuseAnotherPipeline() throws Exception {
    Dataset<Long> d = Dataset.range(10).shuffle(10, 3);
    Path file = dir.resolve("it.ckpt");
    List<Long> first = new ArrayList<>();
    try (DatasetIterator<Long> it = d.iterator()) {
      first.add(it.next());
      first.add(it.next());
      it.checkpoint().write(file);
    }
    IteratorCheckpoint cp = IteratorCheckpoint.read(file);
    assertThat(cp.position()).isEqualTo(2);
    try (DatasetIterator<Long> it = d.iterator(cp)) {
      it.forEachRemaining(first::add);
    }
    assertThat(first).isEqualTo(d.toList());
    assertThatThrownBy(() -> Dataset.range(11).shuffle(10, 3).iterator(cp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another pipeline");
    assertThatThrownBy(() -> IteratorCheckpoint.fromBytes(new byte[] {1, 2, 3, 4, 5}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNonDeterministicPipelineCannotBeCheckpointed() {
    Dataset<Long> d =
        Dataset.range(10)
            .map(x -> x, Parallelism.of(2))
            .withOptions(Options.defaults().deterministic(false));
    try (DatasetIterator<Long> it = d.iterator()) {
      it.next();
      assertThatThrownBy(it::checkpoint).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void anUnseededPipelineResumesWithTheSeedItRanWith() {
    Dataset<Long> d = Dataset.range(200).shuffle(50).map(x -> x * 2, Parallelism.of(2));
    List<Long> got = new ArrayList<>();
    IteratorCheckpoint cp;
    List<Long> full = new ArrayList<>();
    try (DatasetIterator<Long> it = d.iterator()) {
      for (int i = 0; i < 77; i++) {
        got.add(it.next());
      }
      cp = it.checkpoint();
      full.addAll(got);
      it.forEachRemaining(full::add);
    }
    try (DatasetIterator<Long> it = d.iterator(cp)) {
      it.forEachRemaining(got::add);
    }
    assertThat(got).isEqualTo(full);
  }
}
