package dev.millrace.spark.internal;

import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * The records a scan skipped under {@code corruptRecords=skip}: failed CRCs, truncated records,
 * records that are not of the record type. Shown in the SQL tab of Spark's UI beside the scan.
 */
public final class CorruptRecordsMetric extends CustomSumMetric {
  public static final String NAME = "corruptRecords";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "corrupt records skipped";
  }

  /** One task's count so far. */
  static CustomTaskMetric value(long count) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public long value() {
        return count;
      }
    };
  }
}
