package dev.millrace.spark.internal;

import dev.millrace.records.Compression;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;

/**
 * A batch scan of TFRecord files: one task per file, or per split of {@code
 * spark.sql.files.maxPartitionBytes} bytes of an uncompressed file larger than that.
 */
final class TfRecordScan implements Scan, Batch {
  private final SourceOptions options;
  private final StructType readSchema;

  TfRecordScan(SourceOptions options, StructType readSchema) {
    this.options = options;
    this.readSchema = readSchema;
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    return "tfrecord " + options.recordType().optionName() + " " + options.paths();
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {new CorruptRecordsMetric()};
  }

  @Override
  public InputPartition[] planInputPartitions() {
    long maxSplit = Math.max(1, SQLConf.get().filesMaxPartitionBytes());
    try {
      return splits(InputFiles.list(options.paths()), options, maxSplit)
          .toArray(InputPartition[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The splits of {@code files}: a whole file when it is compressed or at most {@code maxSplit}
   * bytes, else consecutive {@code maxSplit}-byte splits, files in the order given.
   */
  static List<TfRecordSplit> splits(List<Path> files, SourceOptions options, long maxSplit)
      throws IOException {
    List<TfRecordSplit> out = new ArrayList<>();
    for (Path file : files) {
      Compression c = options.compressionOf(file);
      long size = Files.size(file);
      String name = file.toAbsolutePath().toString();
      if (c != Compression.NONE || size <= maxSplit) {
        out.add(new TfRecordSplit(name, c, 0, -1));
      } else {
        for (long start = 0; start < size; start += maxSplit) {
          out.add(new TfRecordSplit(name, c, start, Math.min(size, start + maxSplit)));
        }
      }
    }
    return out;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new ReaderFactory(options, readSchema);
  }

  private record ReaderFactory(SourceOptions options, StructType schema)
      implements PartitionReaderFactory {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      try {
        return new TfRecordPartitionReader(
            (TfRecordSplit) partition, options.recordType(), options.corruptRecords(), schema);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
