package dev.millrace.spark.internal;

import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructType;

/** Builds a scan of the columns a query needs: features not asked for are not decoded. */
final class TfRecordScanBuilder implements SupportsPushDownRequiredColumns {
  private final SourceOptions options;
  private StructType schema;

  TfRecordScanBuilder(SourceOptions options, StructType schema) {
    this.options = options;
    this.schema = schema;
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    this.schema = requiredSchema;
  }

  @Override
  public Scan build() {
    return new TfRecordScan(options, schema);
  }
}
