package dev.millrace.convert.internal;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.spi.RecordEncoder;
import dev.millrace.convert.spi.SplitWriter;
import dev.millrace.records.SchemaCollector;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.ShardedRecordWriter;
import dev.millrace.records.SplitManifest;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The converting machine's own split writer: records encoded on {@link ParallelEncoder}'s threads,
 * handed in order to one {@link ShardedRecordWriter}. Owns the encoder threads until closed.
 */
final class LocalSplitWriter implements SplitWriter, Closeable {
  private final ParallelEncoder encoder;

  LocalSplitWriter(int threads) {
    this.encoder = new ParallelEncoder(threads);
  }

  @Override
  public SplitManifest write(
      Path directory,
      String split,
      int[] order,
      RecordEncoder records,
      ConvertOptions options,
      ProgressListener progress)
      throws IOException {
    int count = order.length;
    SchemaCollector schema = new SchemaCollector();
    // About a hundred updates per split: a progress bar need not hear of every record.
    long step = Math.max(1, Math.min(1024, count / 100));
    try (ShardedRecordWriter writer =
        new ShardedRecordWriter(directory, split, options.sharding(), schema)) {
      long[] pending = {0};
      encoder.run(
          count,
          position -> records.encode(order[position]),
          record -> {
            writer.write(record);
            if (++pending[0] == step) {
              progress.advance(pending[0]);
              pending[0] = 0;
            }
          });
      if (pending[0] > 0) {
        progress.advance(pending[0]);
      }
      List<ShardInfo> shards = writer.finish();
      return new SplitManifest(split, count, options.compression(), shards, schema.schema());
    }
  }

  @Override
  public void close() throws IOException {
    encoder.close();
  }
}
