package dev.millrace.spark.internal;

import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The TFRecord files under a path, as a table to scan or to write. */
public final class TfRecordTable implements SupportsRead, SupportsWrite {
  private final SourceOptions options;
  private final StructType schema;

  public TfRecordTable(SourceOptions options, StructType schema) {
    this.options = options;
    this.schema = schema;
  }

  @Override
  public String name() {
    return "tfrecord " + String.join(", ", options.paths());
  }

  @Override
  @SuppressWarnings("deprecation")
  public StructType schema() {
    return schema;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return EnumSet.of(
        TableCapability.BATCH_READ, TableCapability.BATCH_WRITE, TableCapability.TRUNCATE);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    return new TfRecordScanBuilder(options, schema);
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    SourceOptions write = SourceOptions.parse(info.options().asCaseSensitiveMap());
    if (write.paths().size() != 1) {
      throw new IllegalArgumentException(
          "a tfrecord write needs one output folder, not " + write.paths());
    }
    // Checked here, on the driver, so that a column no feature can hold fails before any task.
    RowEncoder encoder = new RowEncoder(write.recordType(), info.schema());
    return new Builder(write, encoder, info.queryId());
  }

  private static final class Builder implements SupportsTruncate {
    private final SourceOptions options;
    private final RowEncoder encoder;
    private final String queryId;
    private boolean truncate;

    Builder(SourceOptions options, RowEncoder encoder, String queryId) {
      this.options = options;
      this.encoder = encoder;
      this.queryId = queryId;
    }

    @Override
    public WriteBuilder truncate() {
      truncate = true;
      return this;
    }

    @Override
    public Write build() {
      return new Write() {
        @Override
        public String description() {
          return "tfrecord " + options.paths().get(0);
        }

        @Override
        public org.apache.spark.sql.connector.write.BatchWrite toBatch() {
          return new TfRecordBatchWrite(
              InputFiles.toPath(options.paths().get(0)), options, encoder, truncate, queryId);
        }
      };
    }
  }
}
