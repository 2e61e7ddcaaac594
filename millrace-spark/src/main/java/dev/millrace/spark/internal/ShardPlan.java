package dev.millrace.spark.internal;

import dev.millrace.records.ShardingOptions;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard of a split written by Spark: positions {@code [start, end)} of the split, found in the
 * encoding chunks {@code chunks} (ascending).
 */
record ShardPlan(int index, int start, int end, int[] chunks) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * The shards of the split whose chunks measured these record lengths (in chunk order), cut by the
   * single-machine writer's rule.
   */
  static List<ShardPlan> cut(List<SparkSplitWriter.Measured> measured, ShardingOptions sharding) {
    List<int[]> ranges = new ArrayList<>();
    int position = 0;
    int shardStart = 0;
    long shardRecords = 0;
    long shardBytes = 0;
    for (SparkSplitWriter.Measured m : measured) {
      for (int length : m.lengths()) {
        if (sharding.startsNewShard(shardRecords, shardBytes, length)) {
          ranges.add(new int[] {shardStart, position});
          shardStart = position;
          shardRecords = 0;
          shardBytes = 0;
        }
        shardRecords++;
        shardBytes += 16L + length;
        position++;
      }
    }
    ranges.add(new int[] {shardStart, position});

    int[] chunkStart = new int[measured.size() + 1];
    for (int i = 0; i < measured.size(); i++) {
      chunkStart[i + 1] = chunkStart[i] + measured.get(i).lengths().length;
    }
    List<ShardPlan> plan = new ArrayList<>(ranges.size());
    for (int k = 0; k < ranges.size(); k++) {
      int a = ranges.get(k)[0];
      int b = ranges.get(k)[1];
      List<Integer> parents = new ArrayList<>();
      for (int c = 0; c < measured.size(); c++) {
        boolean overlaps = chunkStart[c] < b && chunkStart[c + 1] > a;
        if (overlaps) {
          parents.add(c);
        }
      }
      plan.add(new ShardPlan(k, a, b, parents.stream().mapToInt(Integer::intValue).toArray()));
    }
    return plan;
  }
}
