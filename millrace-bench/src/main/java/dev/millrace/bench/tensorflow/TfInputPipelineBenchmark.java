package dev.millrace.bench.tensorflow;

import dev.millrace.bench.tensorflow.RawImageParse.Pixels;
import dev.millrace.records.Compression;
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
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.types.TFloat32;

/**
 * The tf.data baseline: TensorFlow 2.18's own input pipeline over a training split of 60,000
 * records converted into TFRecords by Millrace ({@code records}: {@code fashion}, Fashion-MNIST's
 * 784-byte images; {@code cifar}, synthetic CIFAR-10 3,072-byte images), producing batches of 128
 * float images {@code [n, h, w, c]} scaled to [0, 1] and their int64 labels. Score: records/s.
 *
 * <ul>
 *   <li>{@link #batchThenParse}: TensorFlow's fastest arrangement — {@code TFRecordDataset →
 *       batch(128) → map(ParseExampleV2 → DecodeRaw uint8 → reshape → cast float → ×1/255) →
 *       prefetch}.
 *   <li>{@link #parseThenBatch}: the per-record arrangement, for reference — {@code TFRecordDataset
 *       → map(ParseSingleExample → DecodeRaw → reshape → cast → scale) → batch(128) → prefetch}.
 * </ul>
 *
 * <p>Both maps and the prefetch buffer are {@code AUTOTUNE}; {@code MakeIterator} adds TensorFlow's
 * default rewrites and autotuning model, as for a Python user. One operation is one epoch through a
 * named iterator ({@code MakeIterator}, then {@code IteratorGetNext} until end of sequence). Each
 * thread setting runs in its own fork: TensorFlow sizes its pools once per process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfInputPipelineBenchmark {
  static final int BATCH = 128;

  /** Records per epoch, the same in both record sets (checked in the setup). */
  static final int RECORDS = 60_000;

  /** TensorFlow's intra-op and inter-op pool sizes (tf.data's parallel map runs on them). */
  @Param({"1", "2"})
  public int threads;

  /** {@code fashion} (784-byte images) or {@code cifar} (3,072-byte images). */
  @Param({"fashion", "cifar"})
  public String records;

  private RecordSet set;
  private TrainShards shards;
  private Graph graph;
  private Session session;
  private ConcreteFunction parseBatch;
  private ConcreteFunction parseRecord;
  private TfData.Iterator batchFirst;
  private TfData.Iterator recordFirst;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    set = RecordSet.named(records);
    shards = set.open();
    graph = new Graph();
    RawImageParse parse = new RawImageParse(set);
    parseBatch = parse.parseBatch(Pixels.FLOAT_SCALED);
    parseRecord = parse.parseRecord(Pixels.FLOAT_SCALED);
    TfData data = new TfData(graph);
    batchFirst = data.iterator(batchThenParse(data, parse), "batch_then_parse");
    recordFirst = data.iterator(parseThenBatch(data, parse), "parse_then_batch");
    session = TfSessions.open(graph, threads);
    // Both pipelines must see the whole split, or the records/s figure would be wrong.
    checkEpoch(batchFirst);
    checkEpoch(recordFirst);
  }

  private TfData.Dataset batchThenParse(TfData data, RawImageParse parse) {
    TfData.Dataset in =
        data.tfRecords(shards.trainShards(), Compression.NONE, TfData.DEFAULT_READ_BUFFER_BYTES);
    TfData.Dataset parsed =
        data.parallelMap(
            data.batch(in, BATCH),
            parseBatch,
            RawImageParse.types(Pixels.FLOAT_SCALED),
            parse.batchShapes(),
            TfData.AUTOTUNE);
    return data.prefetch(parsed, TfData.AUTOTUNE);
  }

  private TfData.Dataset parseThenBatch(TfData data, RawImageParse parse) {
    TfData.Dataset in =
        data.tfRecords(shards.trainShards(), Compression.NONE, TfData.DEFAULT_READ_BUFFER_BYTES);
    TfData.Dataset parsed =
        data.parallelMap(
            in,
            parseRecord,
            RawImageParse.types(Pixels.FLOAT_SCALED),
            parse.recordShapes(),
            TfData.AUTOTUNE);
    return data.prefetch(data.batch(parsed, BATCH), TfData.AUTOTUNE);
  }

  private void checkEpoch(TfData.Iterator it) {
    long n = epoch(it, null);
    if (n != set.trainRecords() || n != RECORDS) {
      throw new IllegalStateException(
          "one epoch gave " + n + " records (expected " + set.trainRecords() + ")");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
    parseBatch.close();
    parseRecord.close();
    graph.close();
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

  private long epoch(TfData.Iterator it, Blackhole bh) {
    session.runner().addTarget(it.initializer()).run();
    long n = 0;
    while (true) {
      try (Result r = session.runner().fetch(it.component(0)).fetch(it.component(1)).run()) {
        TFloat32 images = (TFloat32) r.get(0);
        long rows = images.shape().size(0);
        if (bh != null) {
          bh.consume(
              images.getFloat(rows - 1, set.height() - 1, set.width() - 1, set.channels() - 1));
          bh.consume(r.get(1));
        }
        n += rows;
      } catch (TFOutOfRangeException endOfEpoch) {
        return n;
      }
    }
  }
}
