package dev.millrace.bench.nn;

import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.StepRunner;
import dev.millrace.tensor.DataFormat;
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

/**
 * One training step of a built-in model (forward, gradients, optimizer update) on a fixed synthetic
 * batch, through a {@code Session} with {@code threads} intra-op threads. Score: steps per second;
 * images/s is that times {@code batch}. {@link StepBreakdown} prints where a step's time goes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g", "--add-modules", "jdk.incubator.vector"})
public class TrainingStepBenchmark {
  @Param({"fashion-cnn", "tf-tutorial-cnn", "resnet20"})
  public String model;

  @Param({"NHWC", "NCHW"})
  public DataFormat format;

  @Param({"128"})
  public int batch;

  @Param({"2"})
  public int threads;

  /**
   * Inter-op threads: independent ops of the step (a layer's input and weight gradients) running at
   * once, each splitting its work over the shared intra-op pool.
   */
  @Param({"1"})
  public int interOpThreads;

  private TrainingSteps steps;

  @Setup(Level.Trial)
  public void setUp() {
    steps = new TrainingSteps(BuiltinModel.parse(model), format, batch, interOpThreads, threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    steps.close();
  }

  @Benchmark
  public StepRunner.Outcome trainStep() {
    return steps.step();
  }
}
