package dev.millrace.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.CorruptRecordException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures reach the consumer with their location, and the pipeline shuts down cleanly. */
class ErrorsTest {
  /** Every golden Fashion-MNIST record is 16 + 822 bytes. */
  private static final int RECORD_BYTES = 838;

  private static final ExampleSpec FASHION =
      ExampleSpec.of(rawImage("image", 28, 28, 1), int64("label"));

  @TempDir Path tmp;

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  /** The golden file with a byte of the data of each record in {@code records} flipped. */
  private Path corrupted(String name, int... records) throws Exception {
    byte[] bytes = Files.readAllBytes(TestSupport.golden("fashion-train-500.tfrecord"));
    for (int r : records) {
      bytes[r * RECORD_BYTES + 100] ^= 0x40;
    }
    return Files.write(tmp.resolve(name), bytes);
  }

  @Test
  void aUserFunctionErrorSurfacesAtItsElementWithStageAndIndex() {
    Dataset<Long> d =
        Dataset.range(1000)
            .map(
                x -> {
                  if (x == 37) {
                    throw new ArithmeticException("boom at 37");
                  }
                  return x;
                },
                Parallelism.of(2))
            .prefetch(4);
    List<Long> seen = new ArrayList<>();
    DatasetIterator<Long> it = d.iterator();
    assertThatThrownBy(() -> it.forEachRemaining(seen::add))
        .isInstanceOf(PipelineException.class)
        .hasMessage("map#1 failed on element 37: ArithmeticException: boom at 37")
        .satisfies(
            e -> {
              PipelineException p = (PipelineException) e;
              assertThat(p.stage()).isEqualTo("map#1");
              assertThat(p.elementIndex()).isEqualTo(37);
              assertThat(p.getCause()).isInstanceOf(ArithmeticException.class);
              assertThat(p.file()).isEmpty();
            });
    assertThat(seen).hasSize(37);
    // The iterator shut down when it threw: no thread is left, and it yields nothing more.
    TestSupport.assertNoPipelineThreads();
    assertThat(it.hasNext()).isFalse();
    it.close();
  }

  @Test
  void aCorruptRecordSurfacesWithFileOffsetAndIndexThroughThreads() throws Exception {
    Path file = corrupted("bad.tfrecord", 3);
    Dataset<Features> d =
        Dataset.tfRecords(file)
            .map(FASHION::decode, Parallelism.of(2))
            .prefetch(Parallelism.AUTOTUNE);
    List<Features> seen = new ArrayList<>();
    try (DatasetIterator<Features> it = d.iterator()) {
      assertThatThrownBy(() -> it.forEachRemaining(seen::add))
          .isInstanceOf(PipelineException.class)
          .hasMessageContaining("tfRecords#0 failed on element 3")
          .hasMessageContaining(
              "bad.tfrecord@" + 3 * RECORD_BYTES + " (record 3): data CRC mismatch")
          .satisfies(
              e -> {
                PipelineException p = (PipelineException) e;
                assertThat(p.file()).contains(file);
                assertThat(p.offset()).hasValue(3L * RECORD_BYTES);
                assertThat(p.recordIndex()).hasValue(3);
                assertThat(p.getCause()).isInstanceOf(CorruptRecordException.class);
                assertThat(p.isElementError()).isFalse();
              });
    }
    assertThat(seen).hasSize(3);
  }

  @Test
  void ignoreErrorsSkipsCorruptRecordsAndFailedElementsAndCountsThem() throws Exception {
    Path file = corrupted("bad2.tfrecord", 3, 250);
    Dataset<Features> d =
        Dataset.tfRecords(file)
            .prefetch(16)
            .map(FASHION::decode, Parallelism.of(2))
            .map(
                f -> {
                  if (f.get("label").getLong(0) == 9) {
                    throw new IllegalStateException("no ankle boots");
                  }
                  return f;
                })
            .ignoreErrors();
    try (DatasetIterator<Features> it = d.iterator()) {
      List<Features> all = new ArrayList<>();
      it.forEachRemaining(all::add);
      long nines = golden9s();
      assertThat(all).hasSize((int) (500 - 2 - nines));
      assertThat(it.stats().stage("ignoreErrors#4").dropped()).isEqualTo(2 + nines);
      assertThat(all).noneMatch(f -> f.get("label").getLong(0) == 9);
    }
  }

  /** Labels equal to 9 among the golden records, except records 3 and 250 (corrupted above). */
  private static long golden9s() {
    List<Features> all =
        Dataset.tfRecords(TestSupport.golden("fashion-train-500.tfrecord"))
            .map(FASHION::decode)
            .toList();
    long n = 0;
    for (int i = 0; i < all.size(); i++) {
      if (i != 3 && i != 250 && all.get(i).get("label").getLong(0) == 9) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aMissingFileFailsEvenUnderIgnoreErrors() {
    Dataset<TfRecord> d = Dataset.tfRecords(List.of(tmp.resolve("nope.tfrecord"))).ignoreErrors();
    assertThatThrownBy(d::toList)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("nope.tfrecord");
  }

  @Test
  void errorsInsideAnInterleavedDatasetReachTheConsumer() {
    Dataset<Long> d =
        Dataset.range(4)
            .interleave(x -> Dataset.range(10).map(v -> 100 / (v - x)), 2, 1, Parallelism.of(2));
    assertThatThrownBy(d::toList)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("interleave#1/map#1 failed on element 0")
        .hasRootCauseInstanceOf(ArithmeticException.class);
  }

  @Test
  void interruptingTheConsumerCancelsTheIteration() throws Exception {
    // Elements that would take far longer than the test: if cancelling waited for one, an
    // element would count as finished when the consumer returns.
    AtomicInteger finished = new AtomicInteger();
    Dataset<Long> slow =
        Dataset.range(1000)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofSeconds(60));
                  finished.incrementAndGet();
                  return x;
                },
                Parallelism.of(2))
            .prefetch(2);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagKept = new AtomicReference<>();
    AtomicInteger finishedWhenReturned = new AtomicInteger(-1);
    CountDownLatch started = new CountDownLatch(1);
    Thread consumer =
        new Thread(
            () -> {
              try (DatasetIterator<Long> it = slow.iterator()) {
                started.countDown();
                it.next();
              } catch (Throwable t) {
                thrown.set(t);
                flagKept.set(Thread.currentThread().isInterrupted());
                finishedWhenReturned.set(finished.get());
              }
            },
            "test-consumer");
    consumer.start();
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    TestSupport.awaitWaiting(consumer);
    consumer.interrupt();
    consumer.join(30_000);
    assertThat(consumer.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(CancellationException.class);
    assertThat(flagKept.get()).isTrue();
    assertThat(finishedWhenReturned.get()).isZero();
  }

  @Test
  void closingFromAnotherThreadWakesABlockedConsumer() throws Exception {
    Dataset<Long> slow =
        Dataset.range(100)
            .map(
                x -> {
                  TestSupport.sleep(Duration.ofSeconds(5));
                  return x;
                },
                Parallelism.of(2))
            .prefetch(2);
    DatasetIterator<Long> it = slow.iterator();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread consumer =
        new Thread(
            () -> {
              try {
                it.next();
              } catch (Throwable t) {
                thrown.set(t);
              }
            },
            "test-consumer");
    consumer.start();
    TestSupport.awaitWaiting(consumer);
    it.close();
    consumer.join(10_000);
    assertThat(consumer.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(CancellationException.class);
  }

  @Test
  void closingEarlyStopsEveryThreadEvenWithFullBuffers() {
    for (int round = 0; round < 20; round++) {
      Dataset<Long> d =
          Dataset.range(1_000_000)
              .interleave(x -> Dataset.range(x, x + 50), 3, 2, Parallelism.of(2))
              .map(x -> x + 1, Parallelism.AUTOTUNE)
              .prefetch(3)
              .map(x -> x * 2, Parallelism.of(2))
              .prefetch(Parallelism.AUTOTUNE);
      try (DatasetIterator<Long> it = d.iterator()) {
        for (int i = 0; i < round * 7; i++) {
          it.next();
        }
        if (round > 0) {
          assertThat(TestSupport.pipelineThreads()).isNotEmpty();
        }
      }
      TestSupport.assertNoPipelineThreads();
    }
  }

  @Test
  void aNullFromAUserFunctionIsAnElementError() {
    assertThatThrownBy(() -> Dataset.range(3).map(x -> x == 1 ? null : x).toList())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("map#1 failed on element 1")
        .hasMessageContaining("returned null");
    assertThat(Dataset.range(3).map(x -> x == 1 ? null : x).ignoreErrors().toList())
        .containsExactly(0L, 2L);
  }
}
