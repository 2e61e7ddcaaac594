package dev.millrace.spark.internal;

import dev.millrace.records.CorruptRecordException;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.MalformedExampleException;
import dev.millrace.records.RecordReader;
import dev.millrace.spark.RecordType;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one split: every record CRC-checked by {@link RecordReader}, each turned into a row. A
 * corrupt record fails the task with the file and byte offset ({@code corruptRecords=fail}), or is
 * skipped, counted in {@link CorruptRecordsMetric} and logged once per split ({@code skip}). A
 * record whose features do not fit the schema always fails the task.
 */
final class TfRecordPartitionReader implements PartitionReader<InternalRow> {
  private static final Logger LOG = LoggerFactory.getLogger(TfRecordPartitionReader.class);

  private final TfRecordSplit split;
  private final Path file;
  private final RecordType recordType;
  private final CorruptRecordPolicy policy;
  private final RecordReader reader;
  private final RowDecoder decoder;
  private InternalRow row;
  private long malformedSkipped;
  private String firstMalformed;

  TfRecordPartitionReader(
      TfRecordSplit split, RecordType recordType, CorruptRecordPolicy policy, StructType schema)
      throws IOException {
    this.split = split;
    this.file = InputFiles.toPath(split.file());
    this.recordType = recordType;
    this.policy = policy;
    this.decoder = RowDecoder.of(recordType, schema);
    this.reader =
        split.whole()
            ? RecordReader.open(file, split.compression(), policy)
            : RecordReader.openSplit(file, split.start(), split.end(), policy);
  }

  @Override
  public boolean next() throws IOException {
    while (reader.next()) {
      try {
        row = decoder.decode(reader.array(), reader.offset(), reader.length());
        return true;
      } catch (MalformedExampleException e) {
        String problem =
            at(reader.recordOffset())
                + ": not a tf.train."
                + (recordType == RecordType.SEQUENCE_EXAMPLE ? "SequenceExample" : "Example")
                + " ("
                + e.getMessage()
                + ")";
        if (policy == CorruptRecordPolicy.FAIL) {
          throw new IOException(problem, e);
        }
        malformedSkipped++;
        if (firstMalformed == null) {
          firstMalformed = problem;
        }
      } catch (RowDecoder.SchemaMismatch e) {
        // The message says it all; the internal exception is not worth a cause.
        throw new IOException(at(reader.recordOffset()) + ": " + e.getMessage());
      }
    }
    return false;
  }

  private String at(long offset) {
    return file + "@" + offset + (reader.isCompressed() ? " of the decompressed stream" : "");
  }

  @Override
  public InternalRow get() {
    return row;
  }

  /** Corrupt records skipped so far: failed checks and records of another type. */
  long skipped() {
    return reader.corruptRecords() + malformedSkipped;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return new CustomTaskMetric[] {CorruptRecordsMetric.value(skipped())};
  }

  @Override
  public void close() throws IOException {
    try {
      if (skipped() > 0) {
        CorruptRecordException first = reader.firstCorruption();
        LOG.warn(
            "{}: skipped {} corrupt record(s); the first: {}",
            split,
            skipped(),
            first != null ? first.getMessage() : firstMalformed);
      }
    } finally {
      reader.close();
    }
  }
}
