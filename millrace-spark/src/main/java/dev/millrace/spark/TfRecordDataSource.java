package dev.millrace.spark;

import dev.millrace.spark.internal.InputFiles;
import dev.millrace.spark.internal.SchemaInference;
import dev.millrace.spark.internal.SourceOptions;
import dev.millrace.spark.internal.TfRecordTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Spark's {@code tfrecord} data source: TFRecord files of {@code tf.train.Example}s (or {@code
 * SequenceExample}s, or raw records) as DataFrames, read and written with Millrace's TFRecord
 * framing (both CRCs of every record checked) and Example encoding.
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().format("tfrecord").load("/data/fashion");
 * df.write().format("tfrecord").mode("overwrite").option("compression", "gzip").save("/out");
 * }</pre>
 *
 * <p>Options: {@code compression} ({@code none}, {@code gzip}, {@code zlib}; when reading, the
 * default is each file's suffix, {@code .gz} or {@code .zlib}), {@code recordType} ({@code
 * Example}, {@code SequenceExample}, {@code ByteArray}), {@code corruptRecords} ({@code fail}, the
 * default, or {@code skip}: skipped records are counted in the scan's {@code corruptRecords} metric
 * and logged). Without {@code .schema(...)} the schema is inferred by reading every record. A
 * record whose features do not fit a given schema fails the task with its file and offset: a
 * feature of another kind, several values in a scalar column, no value in a column that is not
 * nullable, a feature list in a SequenceExample's context column or the reverse. Uncompressed files
 * larger than {@code spark.sql.files.maxPartitionBytes} are read in splits.
 *
 * <p>Spark asks a data source of this kind to be written with {@code mode("overwrite")} (the
 * folder's data files are replaced) or {@code mode("append")}; its default mode, error-if-exists,
 * is not offered to such sources.
 */
public final class TfRecordDataSource implements TableProvider, DataSourceRegister {
  /** The name for {@code format(...)}. */
  public static final String SHORT_NAME = "tfrecord";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    SourceOptions o = SourceOptions.parse(options.asCaseSensitiveMap());
    try {
      return SchemaInference.infer(InputFiles.list(o.paths()), o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> options) {
    if (partitioning.length > 0) {
      throw new IllegalArgumentException(
          "the tfrecord source does not partition by columns (partitionBy)");
    }
    return new TfRecordTable(SourceOptions.parse(options), schema);
  }

  /** A schema given with {@code .schema(...)} is used as it is, without reading the files. */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }
}
