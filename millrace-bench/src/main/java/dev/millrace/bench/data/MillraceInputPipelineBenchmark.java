package dev.millrace.bench.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;

import dev.millrace.bench.tensorflow.FashionRecords;
import dev.millrace.data.Batch;
import dev.millrace.data.Batcher;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Millrace's side of the tf.data comparison ({@code TfInputPipelineBenchmark}): the same
 * Fashion-MNIST training TFRecords (60,000 records, converted by the same setup helper), read with
 * both CRCs checked and decoded into batches of 128 float images scaled to [0, 1] plus their int64
 * labels, with the same arrangements and thread settings. Score: records/s.
 *
 * <ul>
 *   <li>{@link #batchThenParse}: TensorFlow's fastest arrangement, stage for stage — {@code
 *       tfRecords → batch(128, toList) → map(decodeBatch, threads) → prefetch(AUTOTUNE)}; the batch
 *       is decoded straight into one {@code [n, 28, 28, 1]} float tensor and one {@code [n]} int64
 *       tensor.
 *   <li>{@link #parseThenBatch}: the per-record arrangement — {@code tfRecords → map(decode,
 *       threads) → batch(128) → prefetch(AUTOTUNE)}.
 * </ul>
 *
 * <p>{@code threads} is the decoding map's parallelism (as TensorFlow's setting bounds its pools);
 * as in TensorFlow, the prefetch has a thread of its own on top. One operation is one epoch through
 * a fresh iterator (its threads started and joined), as TensorFlow's {@code MakeIterator} per
 * epoch. Each thread setting runs in its own fork, as TensorFlow's must, so that running both
 * classes in one JMH invocation compares them fork for fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class MillraceInputPipelineBenchmark {
  static final int BATCH = 128;

  /** The decoding map's threads. */
  @Param({"1", "2"})
  public int threads;

  private FashionRecords records;
  private Dataset<Batch> batchFirst;
  private Dataset<Batch> recordFirst;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    records = FashionRecords.convert();
    ExampleSpec spec =
        ExampleSpec.of(rawImage("image", 28, 28, 1).toFloat(1f / 255), int64("label"));
    Options options = Options.defaults().maxParallelism(threads);
    Parallelism p = Parallelism.of(threads);
    batchFirst =
        Dataset.tfRecords(records.trainShards())
            .withOptions(options)
            .batch(BATCH, false, Batcher.toList())
            .map(spec::decodeBatch, p)
            .prefetch(Parallelism.AUTOTUNE);
    recordFirst =
        Dataset.tfRecords(records.trainShards())
            .withOptions(options)
            .map(spec::decode, p)
            .batch(BATCH, false)
            .prefetch(Parallelism.AUTOTUNE);
    // Both pipelines must see the whole split, or the records/s figure would be wrong.
    checkEpoch(batchFirst);
    checkEpoch(recordFirst);
  }

  private static void checkEpoch(Dataset<Batch> d) {
    long n = epoch(d, null);
    if (n != FashionRecords.TRAIN_RECORDS) {
      throw new IllegalStateException(
          "one epoch gave " + n + " records (expected " + FashionRecords.TRAIN_RECORDS + ")");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    records.close();
  }

  @Benchmark
  @OperationsPerInvocation(FashionRecords.TRAIN_RECORDS)
  public long batchThenParse(Blackhole bh) {
    return epoch(batchFirst, bh);
  }

  @Benchmark
  @OperationsPerInvocation(FashionRecords.TRAIN_RECORDS)
  public long parseThenBatch(Blackhole bh) {
    return epoch(recordFirst, bh);
  }

  static long epoch(Dataset<Batch> d, Blackhole bh) {
    long n = 0;
    try (DatasetIterator<Batch> it = d.iterator()) {
      while (it.hasNext()) {
        Batch b = it.next();
        int rows = b.size();
        if (bh != null) {
          bh.consume(b.get("image").getFloat(rows * 784L - 1));
          bh.consume(b.get("label"));
        }
        n += rows;
      }
    }
    return n;
  }
}
