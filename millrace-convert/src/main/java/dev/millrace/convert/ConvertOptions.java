package dev.millrace.convert;

import dev.millrace.records.Compression;
import dev.millrace.records.ShardingOptions;

/**
 * How a conversion writes its output.
 *
 * @param shardBytes a shard is closed once the next record would take it past this many framed
 *     bytes (before compression); see {@link ShardingOptions#targetShardBytes()}
 * @param compression compression of every shard
 * @param shuffle whether to permute the records within each split
 * @param seed the permutation's seed; the same seed gives the same order on every machine
 * @param threads worker threads that encode Examples (and read image files); the output never
 *     depends on this number
 */
public record ConvertOptions(
    long shardBytes, Compression compression, boolean shuffle, long seed, int threads) {
  public ConvertOptions {
    if (shardBytes <= 0) {
      throw new IllegalArgumentException("shardBytes: " + shardBytes + " (expected > 0)");
    }
    if (compression == null) {
      throw new IllegalArgumentException("compression: null");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected >= 1)");
    }
  }

  /** 100 MiB shards, no compression, source order, one thread per available processor. */
  public static ConvertOptions defaults() {
    return new ConvertOptions(
        ShardingOptions.DEFAULT_SHARD_BYTES,
        Compression.NONE,
        false,
        0,
        Runtime.getRuntime().availableProcessors());
  }

  public ConvertOptions withShardBytes(long bytes) {
    return new ConvertOptions(bytes, compression, shuffle, seed, threads);
  }

  public ConvertOptions withCompression(Compression c) {
    return new ConvertOptions(shardBytes, c, shuffle, seed, threads);
  }

  /** Shuffles the records of each split with the given seed. */
  public ConvertOptions withShuffle(long shuffleSeed) {
    return new ConvertOptions(shardBytes, compression, true, shuffleSeed, threads);
  }

  public ConvertOptions withThreads(int n) {
    return new ConvertOptions(shardBytes, compression, shuffle, seed, n);
  }

  /** The sharding these options ask of the records writer. */
  public ShardingOptions sharding() {
    return new ShardingOptions(shardBytes, compression);
  }
}
