package dev.millrace.records;

/**
 * How a {@link ShardedRecordWriter} cuts its output.
 *
 * @param targetShardBytes a shard is closed once adding the next record would take it past this
 *     many framed bytes (before compression); a single larger record still gets a shard of its own
 * @param compression compression of every shard; it also picks the file suffix
 */
public record ShardingOptions(long targetShardBytes, Compression compression) {
  /** 100 MiB: large enough that per-file costs vanish, small enough to parallelise reading. */
  public static final long DEFAULT_SHARD_BYTES = 100L * 1024 * 1024;

  public ShardingOptions {
    if (targetShardBytes <= 0) {
      throw new IllegalArgumentException(
          "targetShardBytes: " + targetShardBytes + " (expected > 0)");
    }
    if (compression == null) {
      throw new IllegalArgumentException("compression: null");
    }
  }

  /**
   * Whether a record of {@code nextLength} bytes opens a new shard, given what the current shard
   * holds: yes once it would take a shard that has a record past {@link #targetShardBytes()}. The
   * one rule every writer of shards follows, so that writers running elsewhere (a Spark job) cut
   * exactly where {@link ShardedRecordWriter} cuts.
   *
   * @param shardRecords records in the current shard
   * @param shardFramedBytes framed bytes in the current shard (16 per record plus the data)
   * @param nextLength the next record's data length
   */
  public boolean startsNewShard(long shardRecords, long shardFramedBytes, long nextLength) {
    return shardRecords > 0 && shardFramedBytes + 16L + nextLength > targetShardBytes;
  }

  public static ShardingOptions defaults() {
    return new ShardingOptions(DEFAULT_SHARD_BYTES, Compression.NONE);
  }

  public ShardingOptions withTargetShardBytes(long bytes) {
    return new ShardingOptions(bytes, compression);
  }

  public ShardingOptions withCompression(Compression c) {
    return new ShardingOptions(targetShardBytes, c);
  }
}
