package dev.millrace.spark.internal;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.Partition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;
import scala.reflect.ClassTag;

/**
 * Groups the encoding chunks into shards without a shuffle: partition {@code k} of the result
 * reads, in order, the chunks that shard {@code k}'s records lie in. A chunk that a shard boundary
 * cuts is read by both shards, each keeping its own records.
 */
final class ShardGroups implements PartitionCoalescer, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final int[][] parents;

  private ShardGroups(int[][] parents) {
    this.parents = parents;
  }

  /** The chunks of {@code encoded}, one partition per shard of {@code plan}. */
  static JavaRDD<byte[]> of(JavaRDD<byte[]> encoded, List<ShardPlan> plan) {
    int[][] parents = plan.stream().map(ShardPlan::chunks).toArray(int[][]::new);
    RDD<byte[]> grouped =
        encoded.rdd().coalesce(plan.size(), false, Option.apply(new ShardGroups(parents)), null);
    ClassTag<byte[]> tag = scala.reflect.ClassTag$.MODULE$.apply(byte[].class);
    return new JavaRDD<>(grouped, tag);
  }

  @Override
  public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
    Partition[] chunks = parent.partitions();
    PartitionGroup[] groups = new PartitionGroup[parents.length];
    for (int k = 0; k < parents.length; k++) {
      PartitionGroup g = new PartitionGroup(Option.empty());
      for (int c : parents[k]) {
        g.partitions().addOne(chunks[c]);
      }
      groups[k] = g;
    }
    return groups;
  }
}
