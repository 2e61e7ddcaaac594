package dev.millrace.records;

import java.util.List;

/**
 * One split (train, test, …) of a converted data set: its shards in order and the schema of its
 * Examples.
 */
public record SplitManifest(
    String name,
    long records,
    Compression compression,
    List<ShardInfo> shards,
    List<FeatureSchema> schema) {
  public SplitManifest {
    shards = List.copyOf(shards);
    schema = List.copyOf(schema);
  }
}
