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
