package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Parallel stages: order, determinism whatever the thread count, autotuning. */
class ParallelismTest {
  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  @Test
  void parallelMapKeepsInputOrderDespiteUnevenElementCosts() {
    List<Long> out =
        Dataset.range(300)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofNanos((x * 7919 % 13) * 100_000));
                  return x;
                },
                Parallelism.of(4))
            .toList();
    assertThat(out).isEqualTo(LongStream.range(0, 300).boxed().toList());
  }

  @Test
  void notDeterministicLetsFastElementsOvertakeASlowOne() throws InterruptedException {
    // Element 0 is held until the consumer has received another element: a condition, not a
    // clock. An order-keeping map would hold the consumer too, until the hold times out.
    CountDownLatch consumerGotOne = new CountDownLatch(1);
    Dataset<Long> d =
        Dataset.range(50)
            .map(
                x -> {
                  if (x == 0) {
                    TestSupport.await(consumerGotOne, Duration.ofSeconds(20));
                  }
                  return x;
                },
                Parallelism.of(2))
            .withOptions(Options.defaults().deterministic(false));
    List<Long> out = new ArrayList<>();
    try (DatasetIterator<Long> it = d.iterator()) {
      out.add(it.next());
      consumerGotOne.countDown();
      it.forEachRemaining(out::add);
    }
    assertThat(out).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 50).boxed().toList());
    assertThat(out.get(0)).isNotZero();
  }

  @Test
  void autotuneAddsThreadsWhileTheConsumerWaits() {
    Dataset<Long> d =
        Dataset.range(400)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofMillis(2));
                  return x;
                },
                Parallelism.AUTOTUNE)
            .withOptions(Options.defaults().maxParallelism(4));
    try (DatasetIterator<Long> it = d.iterator()) {
      long n = 0;
      while (it.hasNext()) {
        assertThat(it.next()).isEqualTo(n++);
      }
      StageStats map = it.stats().stage("map#1");
      assertThat(map.parallelism()).isBetween(2, 4);
    }
  }

  @Test
  void autotuneOffKeepsOneThread() {
    Dataset<Long> d =
        Dataset.range(100)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofMillis(1));
                  return x;
                },
                Parallelism.AUTOTUNE)
            .withOptions(Options.defaults().maxParallelism(4).autotune(false));
    try (DatasetIterator<Long> it = d.iterator()) {
      it.forEachRemaining(x -> {});
      assertThat(it.stats().stage("map#1").parallelism()).isEqualTo(1);
    }
  }

  /** Images whose pixels depend on the index only. */
  private static Features image(long i) {
    byte[] px = new byte[8 * 8 * 3];
    for (int k = 0; k < px.length; k++) {
      px[k] = (byte) (i * 31 + k * 7);
    }
    return Features.of(
        "image", Tensor.ofBytes(DType.UINT8, Shape.of(8, 8, 3), px), "label", Tensor.scalar(i));
  }

  private static Dataset<Batch> augmented(Parallelism p, long seed) {
    Dataset<Features> images =
        p == null
            ? Dataset.range(600).map(ParallelismTest::image)
            : Dataset.range(600).map(ParallelismTest::image, p);
    Dataset<Features> shuffled = images.shuffle(100);
    ImageAugmentation aug = Augment.cropFlipNormalize(2, DataFormat.NCHW);
    Dataset<Features> out = p == null ? shuffled.map(aug) : shuffled.map(aug, p);
    return out.batch(32, false)
        .repeat(2)
        .prefetch(Parallelism.AUTOTUNE)
        .withOptions(Options.defaults().seed(seed).maxParallelism(4));
  }

  @Test
  void aSeededPipelineGivesTheSameElementsWhateverTheThreadCount() {
    List<Batch> sequential = augmented(null, 42).toList();
    assertThat(sequential).hasSize(2 * 19);
    assertThat(augmented(Parallelism.of(1), 42).toList()).isEqualTo(sequential);
    assertThat(augmented(Parallelism.of(3), 42).toList()).isEqualTo(sequential);
    assertThat(augmented(Parallelism.AUTOTUNE, 42).toList()).isEqualTo(sequential);
    assertThat(augmented(Parallelism.of(2), 43).toList()).isNotEqualTo(sequential);
    // The second epoch is shuffled and augmented differently from the first.
    assertThat(sequential.subList(0, 19)).isNotEqualTo(sequential.subList(19, 38));
  }

  @Test
  void parallelInterleaveGivesTheSequentialOrderAndAllElementsWhenUnordered() {
    Dataset<Long> seq =
        Dataset.range(12).interleave(x -> Dataset.range(x * 100, x * 100 + x % 5 + 3), 4, 2);
    List<Long> expected = seq.toList();
    Dataset<Long> par =
        Dataset.range(12)
            .interleave(
                x -> Dataset.range(x * 100, x * 100 + x % 5 + 3).map(v -> v, Parallelism.of(2)),
                4,
                2,
                Parallelism.of(3));
    assertThat(par.toList()).isEqualTo(expected);
    assertThat(par.withOptions(Options.defaults().deterministic(false)).toList())
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}
