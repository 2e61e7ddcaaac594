package dev.millrace.bench.tensorflow;

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
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's side of the training-step comparison ({@code TrainingStepBenchmark} with {@code
 * model=tf-tutorial-cnn}): one step of {@link TfTutorialCnn} (forward, gradients, momentum update)
 * on an in-memory batch of random images and labels. Score: steps per second; images/s is that
 * times {@code batch}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfTrainingStepBenchmark {
  @Param({"100"})
  public int batch;

  /** TensorFlow's intra-op and inter-op pool sizes; one setting per fork. */
  @Param({"2"})
  public int threads;

  private TfTutorialCnn net;
  private TFloat32[] data;

  @Setup(Level.Trial)
  public void setUp() {
    net = new TfTutorialCnn(threads, 1);
    data = TfTutorialCnn.randomBatch(batch);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    data[0].close();
    data[1].close();
    net.close();
  }

  @Benchmark
  public float step() {
    // A small rate: a random batch must not drive the weights to overflow over thousands of steps.
    return net.step(data[0], data[1], 1e-4f);
  }
}
