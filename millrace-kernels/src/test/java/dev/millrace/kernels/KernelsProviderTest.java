package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KernelsProviderTest {

  @Test
  void bestIsTheFastKernelsWhenTheVectorApiIsResolved() {
    // Surefire runs the tests with --add-modules jdk.incubator.vector.
    assertThat(KernelsProvider.vectorApiAvailable()).isTrue();
    assertThat(KernelsProvider.best()).isInstanceOf(FastKernels.class);
    try (KernelThreadPool pool = KernelThreadPool.create(2)) {
      Kernels k = KernelsProvider.best(pool);
      assertThat(k.splitsWork()).isTrue();
      assertThat(((FastKernels) k).threads()).isSameAs(pool);
    }
  }

  @Test
  void withoutTheVectorModuleBestFallsBackToTheReferenceAndNamesTheFlag()
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ProviderProbe.class.getName()))
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(out.strip()).isEqualTo(ReferenceKernels.class.getName());
    assertThat(err).contains("--add-modules jdk.incubator.vector");
    assertThat(err.lines().filter(l -> l.contains("--add-modules"))).hasSize(1);
  }

  @Test
  void fastKernelsBoundToThreadsSplitWorkAndSingleThreadedOnesDoNot() {
    assertThat(new FastKernels().splitsWork()).isFalse();
    assertThat(new ReferenceKernels().splitsWork()).isFalse();
    assertThat(new ReferenceKernels().withThreads(KernelThreads.inline()))
        .isInstanceOf(ReferenceKernels.class);
    try (KernelThreadPool pool = KernelThreadPool.create(2)) {
      assertThat(new FastKernels().withThreads(pool).splitsWork()).isTrue();
    }
  }

  @Test
  void threadPoolRunsEveryTaskOnceAndRethrowsTheFirstFailure() {
    try (KernelThreadPool pool = KernelThreadPool.create(3)) {
      AtomicInteger sum = new AtomicInteger();
      pool.parallelFor(100, i -> sum.addAndGet(i));
      assertThat(sum.get()).isEqualTo(4950);
      assertThatThrownBy(
              () ->
                  pool.parallelFor(
                      10,
                      i -> {
                        if (i == 7) {
                          throw new IllegalStateException("task 7 failed");
                        }
                      }))
          .hasMessage("task 7 failed");
    }
    assertThatThrownBy(() -> KernelThreadPool.create(0)).hasMessageContaining("got 0");
  }

  /** Run in a JVM without the Vector API module: prints the class of the best kernels. */
  public static final class ProviderProbe {
    public static void main(String[] args) {
      System.out.println(KernelsProvider.best().getClass().getName());
      KernelsProvider.best(); // warns once only
    }
  }
}
