package dev.millrace.bench.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;

import dev.millrace.bench.tensorflow.RecordSet;
import dev.millrace.bench.tensorflow.TrainShards;
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
 * Millrace's side of the tf.data comparison ({@code TfInputPipelineBenchmark}): the same training
 * TFRecords (60,000 records of {@code records}: {@code fashion} or {@code cifar}, converted by the
 * same setup helpers), read with both CRCs checked and decoded into batches of 128 float images
 * scaled to [0, 1] plus their int64 labels, with the same arrangements and thread settings. Score:
 * records/s.
 *
 * <ul>
 *   <li>{@link #batchThenParse}: TensorFlow's fastest arrangement, stage for stage — {@code
 *       tfRecords → batch(128, toList) → map(decodeBatch, threads) → prefetch(AUTOTUNE)}; the batch
 *       is decoded straight into one {@code [n, h, w, c]} float tensor and one {@code [n]} int64
 *       tensor.
 *   <li>{@link #parseThenBatch}: the per-record arrangement — {@code tfRecords → map(decode,
 *       threads) → batch(128) → prefetch(AUTOTUNE)}.
 * </ul>
 *
 * <p>{@code release}: whether the consumer releases each batch once it has looked at it, as the
 * training loop does after its step, so that later batches are decoded into the same arrays ({@code
 * true}), or leaves every batch to the garbage collector, each one in new zero-filled arrays
 * ({@code false}, what every batch cost before batch buffers).
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

  /** Records per epoch, the same in both record sets (checked in the setup). */
  static final int RECORDS = 60_000;

  /** The decoding map's threads. */
  @Param({"1", "2"})
  public int threads;

  /** {@code fashion} (784-byte images) or {@code cifar} (3,072-byte images). */
  @Param({"fashion", "cifar"})
  public String records;

  /** Whether the consumer releases each batch (see the class comment). */
  @Param({"true"})
  public boolean release;

  private RecordSet set;
  private TrainShards shards;
  private Dataset<Batch> batchFirst;
  private Dataset<Batch> recordFirst;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    set = RecordSet.named(records);
    shards = set.open();
    ExampleSpec spec =
        ExampleSpec.of(
            rawImage("image", set.height(), set.width(), set.channels()).toFloat(1f / 255),
            int64("label"));
    Options options = Options.defaults().maxParallelism(threads);
    Parallelism p = Parallelism.of(threads);
    batchFirst =
        Dataset.tfRecords(shards.trainShards())
            .withOptions(options)
            .batch(BATCH, false, Batcher.toList())
            .map(spec::decodeBatch, p)
            .prefetch(Parallelism.AUTOTUNE);
    recordFirst =
        Dataset.tfRecords(shards.trainShards())
            .withOptions(options)
            .map(spec::decode, p)
            .batch(BATCH, false)
            .prefetch(Parallelism.AUTOTUNE);
    // Both pipelines must see the whole split, or the records/s figure would be wrong.
    checkEpoch(batchFirst);
    checkEpoch(recordFirst);
  }

  private void checkEpoch(Dataset<Batch> d) {
    long n = epoch(d, null);
    if (n != set.trainRecords() || n != RECORDS) {
      throw new IllegalStateException(
          "one epoch gave " + n + " records (expected " + set.trainRecords() + ")");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    shards.close();
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long batchThenParse(Blackhole bh) {
    return epoch(batchFirst, bh);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long parseThenBatch(Blackhole bh) {
    return epoch(recordFirst, bh);
  }

  private long epoch(Dataset<Batch> d, Blackhole bh) {
    long n = 0;
    long last = set.pixels() - 1L;
    try (DatasetIterator<Batch> it = d.iterator()) {
      while (it.hasNext()) {
        Batch b = it.next();
        int rows = b.size();
        if (bh != null) {
          bh.consume(b.get("image").getFloat((rows - 1L) * set.pixels() + last));
          bh.consume(b.get("label"));
        }
        n += rows;
        if (release) {
          b.release();
        }
      }
    }
    return n;
  }
}
