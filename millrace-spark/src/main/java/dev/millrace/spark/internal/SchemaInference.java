package dev.millrace.spark.internal;

import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.ExampleScanner;
import dev.millrace.records.FeatureSchema;
import dev.millrace.records.FeatureType;
import dev.millrace.records.MalformedExampleException;
import dev.millrace.records.RecordReader;
import dev.millrace.records.SchemaCollector;
import dev.millrace.records.SequenceVisitor;
import dev.millrace.spark.RecordType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schema of a set of TFRecord files, found by reading every record as {@code millrace inspect}
 * does ({@link SchemaCollector} for Examples): one nullable column per feature, in name order. A
 * feature with exactly one value in every Example that has it is a column of that value ({@code
 * bigint}, {@code float}, {@code binary}); any other is an array column. A feature whose kind
 * differs between Examples has no column type, and inference says so.
 *
 * <p>The records are read in the scan's splits ({@link TfRecordScan#splits}). With a Spark session
 * running and more than one split, that is a Spark job, one task per split, whose collectors the
 * driver merges in split order; so inference scales with the cluster instead of reading a whole
 * data set on the driver's one thread.
 */
public final class SchemaInference {
  private SchemaInference() {}

  /** The schema of {@code files}, read with the options' compression and corruption policy. */
  public static StructType infer(List<Path> files, SourceOptions options) throws IOException {
    if (options.recordType() == RecordType.BYTE_ARRAY) {
      return byteArraySchema();
    }
    long maxSplit = Math.max(1, SQLConf.get().filesMaxPartitionBytes());
    List<TfRecordSplit> splits = TfRecordScan.splits(files, options, maxSplit);
    List<Collected> parts = collect(splits, options);
    return options.recordType() == RecordType.SEQUENCE_EXAMPLE ? sequences(parts) : examples(parts);
  }

  /** What one split's records said: an Example or a SequenceExample collector. */
  private record Collected(String file, SchemaCollector examples, SequenceCollector sequences)
      implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  private static List<Collected> collect(List<TfRecordSplit> splits, SourceOptions options)
      throws IOException {
    CollectSplit task = new CollectSplit(options);
    scala.Option<SparkSession> session = SparkSession.getActiveSession();
    if (splits.size() <= 1 || session.isEmpty()) {
      List<Collected> out = new ArrayList<>();
      for (TfRecordSplit split : splits) {
        out.add(task.read(split));
      }
      return out;
    }
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(session.get().sparkContext());
    try {
      // collect() keeps the partitions' order, so the merge below is the one-thread scan's.
      return spark.parallelize(splits, splits.size()).map(task).collectAsync().get();
    } catch (ExecutionException e) {
      throw SparkFailures.unwrap(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("schema inference interrupted");
    }
  }

  /** Reads one split's records into a collector (on an executor, or on the driver). */
  private record CollectSplit(SourceOptions options) implements Function<TfRecordSplit, Collected> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Collected call(TfRecordSplit split) throws IOException {
      return read(split);
    }

    Collected read(TfRecordSplit split) throws IOException {
      Path file = InputFiles.toPath(split.file());
      try (RecordReader r =
          split.whole()
              ? RecordReader.open(file, split.compression(), options.corruptRecords())
              : RecordReader.openSplit(
                  file, split.start(), split.end(), options.corruptRecords())) {
        if (options.recordType() == RecordType.SEQUENCE_EXAMPLE) {
          SequenceCollector collector = new SequenceCollector();
          while (r.next()) {
            try {
              collector.record(r.array(), r.offset(), r.length());
            } catch (MalformedExampleException e) {
              // Under skip the read leaves such a record out, so the schema is that of the others.
              if (options.corruptRecords() == CorruptRecordPolicy.SKIP) {
                continue;
              }
              throw new IOException(
                  file
                      + "@"
                      + r.recordOffset()
                      + ": not a tf.train.SequenceExample: "
                      + e.getMessage(),
                  e);
            }
          }
          return new Collected(split.file(), null, collector);
        }
        SchemaCollector collector = new SchemaCollector();
        while (r.next()) {
          collector.observe(r.array(), r.offset(), r.length());
        }
        return new Collected(split.file(), collector, null);
      }
    }
  }

  /** The one column of raw records. */
  public static StructType byteArraySchema() {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(RecordType.BYTE_ARRAY_COLUMN, DataTypes.BinaryType, false)
        });
  }

  /** The columns of an Example schema as the manifest and {@code inspect} describe it. */
  public static StructType fromFeatures(List<FeatureSchema> features) {
    List<StructField> fields = new ArrayList<>();
    for (FeatureSchema f : features) {
      if (f.mixedTypes()) {
        throw new IllegalArgumentException(
            "feature '"
                + f.name()
                + "' is not of one kind in every Example (first seen: "
                + f.type().jsonName()
                + "); give the schema yourself, with .schema(...)");
      }
      boolean one = f.minLength() == 1 && f.maxLength() == 1;
      fields.add(DataTypes.createStructField(f.name(), type(f.type(), one ? 0 : 1), true));
    }
    return new StructType(fields.toArray(StructField[]::new));
  }

  private static DataType type(FeatureType kind, int depth) {
    DataType t = FeatureColumn.Value.of(kind).sparkType();
    for (int i = 0; i < depth; i++) {
      t = DataTypes.createArrayType(t, false);
    }
    return t;
  }

  private static StructType examples(List<Collected> parts) throws IOException {
    SchemaCollector collector = new SchemaCollector();
    String firstFile = null;
    for (Collected part : parts) {
      if (firstFile == null && part.examples().examples() + part.examples().notExamples() > 0) {
        firstFile = part.file();
      }
      collector.merge(part.examples());
    }
    if (collector.examples() == 0 && collector.notExamples() > 0) {
      throw new IOException(
          firstFile
              + ": none of the "
              + collector.notExamples()
              + " records is a tf.train.Example; read them with option recordType ByteArray");
    }
    return fromFeatures(collector.schema());
  }

  private static StructType sequences(List<Collected> parts) {
    SequenceCollector collector = new SequenceCollector();
    for (Collected part : parts) {
      collector.merge(part.sequences());
    }
    return collector.schema();
  }

  /** Kinds and lengths of context features and feature lists over SequenceExamples. */
  private static final class SequenceCollector implements SequenceVisitor, Serializable {
    @Serial private static final long serialVersionUID = 1L;

    private record Kind(FeatureType type, boolean mixed, int minLength, int maxLength)
        implements Serializable {
      Kind with(FeatureType t, int length) {
        FeatureType merged = type == FeatureType.NONE ? t : type;
        boolean isMixed = mixed || (t != FeatureType.NONE && type != FeatureType.NONE && t != type);
        return new Kind(merged, isMixed, Math.min(minLength, length), Math.max(maxLength, length));
      }
    }

    private final Map<String, Kind> context = new TreeMap<>();
    private final Map<String, Kind> lists = new TreeMap<>();
    private final Map<String, Kind> recordContext = new HashMap<>();
    private final Map<String, Kind> recordLists = new HashMap<>();
    private String currentList;

    void record(byte[] buf, int off, int len) throws MalformedExampleException {
      recordContext.clear();
      recordLists.clear();
      ExampleScanner.scanSequence(buf, off, len, this);
      // A key that repeats within one record counts with its last entry, as protobuf keeps it.
      recordContext.forEach((name, k) -> context.merge(name, k, SequenceCollector::merge));
      recordLists.forEach((name, k) -> lists.merge(name, k, SequenceCollector::merge));
    }

    /** Folds another split's observations into this one, as if read after this one's. */
    void merge(SequenceCollector other) {
      other.context.forEach((name, k) -> context.merge(name, k, SequenceCollector::merge));
      other.lists.forEach((name, k) -> lists.merge(name, k, SequenceCollector::merge));
    }

    private static Kind merge(Kind a, Kind b) {
      Kind m = a.with(b.type(), b.minLength()).with(b.type(), b.maxLength());
      return new Kind(m.type(), m.mixed() || b.mixed(), m.minLength(), m.maxLength());
    }

    @Override
    public void context(
        byte[] buf,
        int nameOff,
        int nameLen,
        FeatureType type,
        int valueCount,
        int minValueBytes,
        int maxValueBytes) {
      recordContext.put(
          new String(buf, nameOff, nameLen, StandardCharsets.UTF_8),
          new Kind(type, false, valueCount, valueCount));
    }

    @Override
    public void featureList(byte[] buf, int nameOff, int nameLen, int steps) {
      currentList = new String(buf, nameOff, nameLen, StandardCharsets.UTF_8);
      recordLists.put(currentList, new Kind(FeatureType.NONE, false, steps, steps));
    }

    @Override
    public void step(
        int step, FeatureType type, int valueCount, int minValueBytes, int maxValueBytes) {
      recordLists.computeIfPresent(currentList, (n, k) -> k.with(type, k.minLength()));
    }

    StructType schema() {
      List<StructField> fields = new ArrayList<>();
      context.forEach(
          (name, k) -> {
            check(name, k, "context feature");
            boolean one = k.minLength() == 1 && k.maxLength() == 1;
            fields.add(DataTypes.createStructField(name, type(k.type(), one ? 0 : 1), true));
          });
      lists.forEach(
          (name, k) -> {
            check(name, k, "feature list");
            fields.add(DataTypes.createStructField(name, type(k.type(), 2), true));
          });
      return new StructType(fields.toArray(StructField[]::new));
    }

    private static void check(String name, Kind k, String what) {
      if (k.mixed()) {
        throw new IllegalArgumentException(
            what
                + " '"
                + name
                + "' is not of one kind in every SequenceExample (first seen: "
                + k.type().jsonName()
                + "); give the schema yourself, with .schema(...)");
      }
    }
  }
}
