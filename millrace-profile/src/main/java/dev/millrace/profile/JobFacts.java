package dev.millrace.profile;

import dev.millrace.nn.TrainConfig;
import dev.millrace.records.Compression;
import dev.millrace.records.ShardInfo;
import dev.millrace.tensor.DataFormat;

/**
 * What the doctor's recommendations depend on besides the measurements: how the job is set up.
 *
 * @param cores processors the JVM may use
 * @param inputThreads the job's decode threads (0: autotuned)
 * @param prefetch the job's prefetch (-1 autotuned, 0 none)
 * @param augment whether training images are augmented
 * @param encodedImages whether images are stored as JPEG/PNG
 * @param compression the training shards' compression
 * @param shards training shards
 * @param meanShardBytes their mean size
 * @param intraOpThreads the session's intra-op threads
 * @param format the model's data format
 * @param batch examples per step
 */
public record JobFacts(
    int cores,
    int inputThreads,
    int prefetch,
    boolean augment,
    boolean encodedImages,
    Compression compression,
    int shards,
    long meanShardBytes,
    int intraOpThreads,
    DataFormat format,
    int batch) {

  /** The facts of {@code config} on this machine. */
  public static JobFacts of(TrainConfig config) {
    var shards = config.data().train().shards();
    long bytes = shards.stream().mapToLong(ShardInfo::bytes).sum();
    return new JobFacts(
        Runtime.getRuntime().availableProcessors(),
        config.input().threads(),
        config.input().prefetch(),
        config.input().augment(),
        config.data().encoded(),
        config.data().train().compression(),
        shards.size(),
        shards.isEmpty() ? 0 : bytes / shards.size(),
        config.threads().intraOpThreads(),
        config.format(),
        config.recipe().batch());
  }
}
