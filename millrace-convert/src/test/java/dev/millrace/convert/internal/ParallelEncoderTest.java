package dev.millrace.convert.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelEncoderTest {
  private static byte[] slowly(int position) {
    try {
      // Early positions take longest, so that workers finish out of order.
      Thread.sleep(position % 5 == 0 ? 5 : 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new byte[] {(byte) position};
  }

  @Test
  void recordsReachTheSinkInPositionOrderWhateverFinishesFirst() throws IOException {
    List<Integer> seen = new ArrayList<>();
    try (ParallelEncoder encoder = new ParallelEncoder(4)) {
      encoder.run(100, ParallelEncoderTest::slowly, r -> seen.add(r[0] & 0xff));
    }

    assertThat(seen).hasSize(100).isSorted();
  }

  @Test
  void noMoreThanTheWindowIsInFlight() throws IOException {
    AtomicInteger encodedNotSunk = new AtomicInteger();
    int[] most = {0};
    try (ParallelEncoder encoder = new ParallelEncoder(3)) {
      encoder.run(
          200,
          p -> {
            encodedNotSunk.incrementAndGet();
            return slowly(p);
          },
          r -> {
            most[0] = Math.max(most[0], encodedNotSunk.getAndDecrement());
          });
      assertThat(most[0]).isLessThanOrEqualTo(encoder.window());
    }
  }

  @Test
  void theFirstFailureIsRethrownAsItWasThrown() {
    IOException boom = new IOException("record 37 is bad");

    try (ParallelEncoder encoder = new ParallelEncoder(4)) {
      assertThatThrownBy(
              () ->
                  encoder.run(
                      100,
                      p -> {
                        if (p == 37 || p == 60) {
                          throw p == 37 ? boom : new IOException("later");
                        }
                        return slowly(p);
                      },
                      r -> {}))
          .isSameAs(boom);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void workersAreNamedAndStopWhenClosed() throws IOException, InterruptedException {
    Set<String> names = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    ParallelEncoder encoder = new ParallelEncoder(2);
    encoder.run(
        20,
        p -> {
          names.add(Thread.currentThread().getName());
          synchronized (threads) {
            if (!threads.contains(Thread.currentThread())) {
              threads.add(Thread.currentThread());
            }
          }
          return slowly(p);
        },
        r -> {});
    encoder.close();

    assertThat(names).isNotEmpty().allMatch(n -> n.matches("millrace-convert-\\d+-\\d+"));
    for (Thread t : threads) {
      // A terminated pool's workers are still returning from run(); give them a moment.
      t.join(5_000);
    }
    assertThat(threads).noneMatch(Thread::isAlive);
  }

  @Test
  void oneThreadRunsOnTheCallersThread() throws IOException {
    Thread caller = Thread.currentThread();
    try (ParallelEncoder encoder = new ParallelEncoder(1)) {
      encoder.run(
          3,
          p -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            return new byte[0];
          },
          r -> {});
    }
  }
}
