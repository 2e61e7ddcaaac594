package dev.millrace.spark.internal;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.spi.RecordEncoder;
import dev.millrace.convert.spi.SplitWriter;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.SchemaCollector;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.ShardedRecordWriter;
import dev.millrace.records.ShardingOptions;
import dev.millrace.records.SplitManifest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes a split as a Spark job, shard for shard what {@link ShardedRecordWriter} writes:
 *
 * <ol>
 *   <li>the records are encoded in chunks of consecutive positions, one task per chunk, and kept
 *       (in memory, spilling to disk) as an RDD; each task reports its records' lengths and a
 *       {@link SchemaCollector} of them;
 *   <li>the driver cuts the lengths into shards by {@link ShardingOptions#startsNewShard}, the rule
 *       the single-machine writer follows, and merges the collectors in chunk order, which gives
 *       the single-machine schema exactly;
 *   <li>one task per shard reads the chunks its records lie in (narrow dependencies, no shuffle)
 *       and writes the shard under a hidden temporary name, with its SHA-256;
 *   <li>once every task has succeeded, the driver renames the shards to their final names in the
 *       staging folder; the conversion then moves them out, manifest last.
 * </ol>
 *
 * <p>A failed job leaves only hidden temporary files in the staging folder, which the conversion
 * deletes; the writer waits for the job's cancelled tasks to end first, so none writes after that.
 * The folder must be one every executor sees at the same path.
 */
public final class SparkSplitWriter implements SplitWriter {
  /** Records per encoding task, at most: enough to amortise a task, few enough to spread. */
  private static final int CHUNK_RECORDS = 4096;

  private final JavaSparkContext spark;

  public SparkSplitWriter(JavaSparkContext spark) {
    this.spark = spark;
  }

  @Override
  public SplitManifest write(
      Path directory,
      String split,
      int[] order,
      RecordEncoder encoder,
      ConvertOptions options,
      ProgressListener progress)
      throws IOException {
    int count = order.length;
    if (count == 0) {
      // One empty shard, as the single-machine writer leaves; there is nothing to distribute.
      try (ShardedRecordWriter w = new ShardedRecordWriter(directory, split, options.sharding())) {
        return new SplitManifest(split, 0, options.compression(), w.finish(), List.of());
      }
    }
    String group = "millrace-convert-" + UUID.randomUUID();
    spark.setJobGroup(group, "millrace convert: split " + split, true);
    Broadcast<Source> source = spark.broadcast(new Source(order, encoder));
    JavaRDD<byte[]> encoded = null;
    try {
      List<Chunk> chunks = Chunk.of(count, spark.defaultParallelism());
      encoded =
          spark
              .parallelize(chunks, chunks.size())
              .mapPartitions(new Encode(source), true)
              .persist(StorageLevel.MEMORY_AND_DISK());
      Progress reported = new Progress(spark, split, count, progress);

      List<Measured> measured =
          reported.await(encoded.mapPartitions(new Measure(reported.encoded), true).collectAsync());
      measured.sort(Comparator.comparingInt(Measured::chunk));
      SchemaCollector schema = new SchemaCollector();
      for (Measured m : measured) {
        schema.merge(m.schema());
      }
      List<ShardPlan> plan = ShardPlan.cut(measured, options.sharding());

      ShardTask task =
          new ShardTask(
              directory.toAbsolutePath().toString(),
              split,
              options,
              plan,
              chunks.stream().mapToInt(Chunk::start).toArray());
      List<ShardTask.Written> written =
          reported.await(
              ShardGroups.of(encoded, plan)
                  .mapPartitionsWithIndex(new WriteShards(task, reported.written), true)
                  .collectAsync());
      return commit(directory, split, options, count, written, plan.size(), schema);
    } catch (IOException | RuntimeException e) {
      awaitQuiet(group);
      throw e;
    } finally {
      if (encoded != null) {
        encoded.unpersist(false);
      }
      source.destroy(false);
      spark.clearJobGroup();
    }
  }

  private static SplitManifest commit(
      Path directory,
      String split,
      ConvertOptions options,
      int count,
      List<ShardTask.Written> written,
      int shards,
      SchemaCollector schema)
      throws IOException {
    List<ShardTask.Written> inOrder = new ArrayList<>(written);
    inOrder.sort(Comparator.comparingInt(ShardTask.Written::shard));
    if (inOrder.size() != shards) {
      throw new IllegalStateException(
          "split '" + split + "': " + inOrder.size() + " shards written, " + shards + " planned");
    }
    List<ShardInfo> infos = new ArrayList<>();
    long records = 0;
    for (ShardTask.Written w : inOrder) {
      String name = ShardedRecordWriter.shardName(split, w.shard(), shards, options.compression());
      AtomicFiles.commit(Path.of(w.temporary()), directory.resolve(name));
      infos.add(new ShardInfo(name, w.records(), w.bytes(), w.sha256()));
      records += w.records();
    }
    if (records != count) {
      throw new IllegalStateException(
          "split '" + split + "': " + records + " records written, " + count + " expected");
    }
    return new SplitManifest(split, count, options.compression(), infos, schema.schema());
  }

  /**
   * Cancels what is left of the job group and waits (up to a minute) until none of its tasks runs,
   * so that no task is still writing when the conversion deletes its staging folder.
   */
  private void awaitQuiet(String group) {
    QuietJobs.JobIds jobs = () -> spark.statusTracker().getJobIdsForGroup(group);
    // Only while tasks run: cancelling a group whose jobs all ended makes Spark warn.
    if (QuietJobs.busy(spark.statusTracker(), jobs.current())) {
      spark.cancelJobGroup(group);
    }
    QuietJobs.await(spark.statusTracker(), jobs, 60);
  }

  /** The split's order and encoder, broadcast once to every executor. */
  private record Source(int[] order, RecordEncoder encoder) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  /** Positions {@code [start, end)} of the split, encoded by one task. */
  record Chunk(int index, int start, int end) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    static List<Chunk> of(int count, int parallelism) {
      int chunks =
          Math.min(count, Math.max(2 * parallelism, (count + CHUNK_RECORDS - 1) / CHUNK_RECORDS));
      List<Chunk> out = new ArrayList<>(chunks);
      for (int i = 0; i < chunks; i++) {
        out.add(
            new Chunk(
                i, (int) ((long) i * count / chunks), (int) ((long) (i + 1) * count / chunks)));
      }
      return out;
    }
  }

  /** One chunk's record lengths and schema, for the driver. */
  record Measured(int chunk, int[] lengths, SchemaCollector schema) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  private record Encode(Broadcast<Source> source)
      implements FlatMapFunction<Iterator<Chunk>, byte[]> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Iterator<byte[]> call(Iterator<Chunk> chunks) {
      Chunk c = chunks.next();
      Source s = source.value();
      return new Iterator<>() {
        private int next = c.start();

        @Override
        public boolean hasNext() {
          return next < c.end();
        }

        @Override
        public byte[] next() {
          try {
            return s.encoder().encode(s.order()[next++]);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
  }

  private record Measure(LongAccumulator encoded)
      implements FlatMapFunction<Iterator<byte[]>, Measured> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Measured> call(Iterator<byte[]> records) {
      int chunk = org.apache.spark.TaskContext.getPartitionId();
      SchemaCollector schema = new SchemaCollector();
      int[] lengths = new int[64];
      int n = 0;
      while (records.hasNext()) {
        byte[] r = records.next();
        schema.observe(r, 0, r.length);
        if (n == lengths.length) {
          lengths = java.util.Arrays.copyOf(lengths, 2 * n);
        }
        lengths[n++] = r.length;
      }
      encoded.add(n);
      return List.of(new Measured(chunk, java.util.Arrays.copyOf(lengths, n), schema)).iterator();
    }
  }

  private record WriteShards(ShardTask task, LongAccumulator written)
      implements org.apache.spark.api.java.function.Function2<
          Integer, Iterator<byte[]>, Iterator<ShardTask.Written>> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Iterator<ShardTask.Written> call(Integer shard, Iterator<byte[]> records)
        throws IOException {
      ShardTask.Written w = task.write(shard, records);
      written.add(w.records());
      return List.of(w).iterator();
    }
  }

  /**
   * Tells the progress listener, on the calling thread, how far the split is: half for the records
   * encoded, half for the records written.
   */
  private static final class Progress {
    final LongAccumulator encoded;
    final LongAccumulator written;
    private final ProgressListener listener;
    private long told;

    Progress(JavaSparkContext spark, String split, int count, ProgressListener listener) {
      this.encoded = spark.sc().longAccumulator("records encoded: " + split);
      this.written = spark.sc().longAccumulator("records written: " + split);
      this.listener = listener;
    }

    <T> List<T> await(JavaFutureAction<List<T>> job) throws IOException {
      while (true) {
        try {
          List<T> result = job.get(200, TimeUnit.MILLISECONDS);
          tell();
          return new ArrayList<>(result);
        } catch (TimeoutException e) {
          tell();
        } catch (InterruptedException e) {
          job.cancel(true);
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("conversion interrupted");
        } catch (ExecutionException e) {
          throw SparkFailures.unwrap(e);
        }
      }
    }

    private void tell() {
      long done = (encoded.value() + written.value()) / 2;
      if (done > told) {
        listener.advance(done - told);
        told = done;
      }
    }
  }
}
