package dev.millrace.convert.spi;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.records.SplitManifest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the records of one split as shards: where and on how many threads or machines they are
 * encoded and written is the writer's choice; what it writes is fixed. The default writer encodes
 * on the converting machine's threads; an engine ({@link ConversionEngine}) brings its own.
 */
public interface SplitWriter {
  /**
   * Writes {@code order.length} records into {@code directory}, record {@code i} being {@code
   * encoder.encode(order[i])}, cut into shards exactly where {@link
   * dev.millrace.records.ShardedRecordWriter} cuts with {@code options.sharding()} ({@link
   * dev.millrace.records.ShardingOptions#startsNewShard}), named {@link
   * dev.millrace.records.ShardedRecordWriter#shardName} ({@code <split>-00003-of-00012.tfrecord}),
   * one empty shard for an empty split; the schema is that of a {@link
   * dev.millrace.records.SchemaCollector} that saw every record in order. So every writer writes
   * the same bytes for the same input.
   *
   * @param directory the conversion's staging folder, where the shards must be when this returns
   * @param progress to hear of records written ({@code advance} only; called on this thread)
   * @return the split: its name, record count, compression, shards in order and schema
   */
  SplitManifest write(
      Path directory,
      String split,
      int[] order,
      RecordEncoder encoder,
      ConvertOptions options,
      ProgressListener progress)
      throws IOException;
}
