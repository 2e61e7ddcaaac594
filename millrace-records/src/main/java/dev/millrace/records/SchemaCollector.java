package dev.millrace.records;

import dev.millrace.records.internal.ByteNameTable;
import dev.millrace.records.internal.Utf8;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Infers the feature schema of a stream of serialized {@code tf.train.Example}s: per feature name
 * its kind and the range of its lengths. Records that are not Examples are counted, not fatal, so
 * that {@code inspect} can describe any TFRecord file.
 *
 * <p>Records are walked by {@link ExampleScanner}, not parsed into protobuf objects, and names are
 * looked up as bytes: a record of known features allocates nothing. A record counts as an Example
 * exactly when protobuf-java would parse it (feature names must be valid UTF-8, as proto3
 * requires); a key that repeats within one Example counts once, with its last value, as protobuf
 * keeps it.
 *
 * <p>Not thread-safe; collectors of parallel scans combine with {@link #merge}, in the order of
 * their parts, which gives exactly the schema of one collector that saw every record. A collector
 * is serializable (what it has counted, not the record in progress), so that the parts of a scan
 * can run on other machines.
 */
public final class SchemaCollector implements ShardedRecordWriter.RecordObserver, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final ByteNameTable names = new ByteNameTable();
  private final List<Accumulator> byId = new ArrayList<>();
  private final Map<String, Accumulator> byName = new TreeMap<>();
  private final FeatureVisitor visitor = this::pending;
  private long examples;
  private long notExamples;

  // The features of the record being scanned, applied only once the whole record is known good.
  private int pendingCount;
  private int[] pendingId = new int[16];
  private byte[][] pendingNewName = new byte[16][];
  private FeatureType[] pendingType = new FeatureType[16];
  private int[] pendingLength = new int[16];
  private int[] pendingMinBytes = new int[16];
  private int[] pendingMaxBytes = new int[16];
  // Per feature id: the record that last saw it and its slot there (for repeated keys).
  private long record;
  private long[] seenInRecord = new long[16];
  private int[] slotInRecord = new int[16];

  @Override
  public void observe(byte[] data, int offset, int length) {
    record++;
    pendingCount = 0;
    try {
      ExampleScanner.scan(data, offset, length, visitor);
    } catch (MalformedExampleException e) {
      notExamples++;
      return;
    }
    for (int k = 0; k < pendingCount; k++) {
      if (pendingId[k] < 0 && !isUtf8(pendingNewName[k])) {
        notExamples++;
        return;
      }
    }
    examples++;
    for (int k = 0; k < pendingCount; k++) {
      Accumulator a = pendingId[k] >= 0 ? byId.get(pendingId[k]) : accumulator(pendingNewName[k]);
      a.add(pendingType[k], pendingLength[k], pendingMinBytes[k], pendingMaxBytes[k]);
      pendingNewName[k] = null;
    }
  }

  /** Examples seen. */
  public long examples() {
    return examples;
  }

  /** Records that did not parse as an Example. */
  public long notExamples() {
    return notExamples;
  }

  /** The schema so far, sorted by feature name. */
  public List<FeatureSchema> schema() {
    List<FeatureSchema> out = new ArrayList<>(byName.size());
    for (Accumulator a : byName.values()) {
      out.add(a.toSchema());
    }
    return out;
  }

  /** Folds another collector's observations into this one (for parallel scans). */
  public void merge(SchemaCollector other) {
    examples += other.examples;
    notExamples += other.notExamples;
    other.byName.forEach(
        (name, a) -> {
          Accumulator mine = byName.get(name);
          if (mine == null) {
            mine = accumulator(name.getBytes(StandardCharsets.UTF_8));
          }
          mine.merge(a);
        });
  }

  private void pending(
      byte[] buf,
      int nameOff,
      int nameLen,
      FeatureType type,
      int valueCount,
      int minValueBytes,
      int maxValueBytes) {
    int id = names.find(buf, nameOff, nameLen);
    int slot;
    if (id >= 0 && seenInRecord[id] == record) {
      slot = slotInRecord[id];
    } else if (id < 0 && (slot = pendingNewSlot(buf, nameOff, nameLen)) >= 0) {
      // a new name repeated within this record: the last entry wins
    } else {
      slot = pendingCount++;
      if (slot == pendingId.length) {
        growPending();
      }
      pendingId[slot] = id;
      if (id >= 0) {
        seenInRecord[id] = record;
        slotInRecord[id] = slot;
      } else {
        pendingNewName[slot] = Arrays.copyOfRange(buf, nameOff, nameOff + nameLen);
      }
    }
    pendingType[slot] = type;
    pendingLength[slot] = valueCount;
    pendingMinBytes[slot] = minValueBytes;
    pendingMaxBytes[slot] = maxValueBytes;
  }

  private int pendingNewSlot(byte[] buf, int off, int len) {
    for (int k = 0; k < pendingCount; k++) {
      byte[] n = pendingNewName[k];
      if (pendingId[k] < 0 && Arrays.equals(n, 0, n.length, buf, off, off + len)) {
        return k;
      }
    }
    return -1;
  }

  private void growPending() {
    int n = pendingId.length * 2;
    pendingId = Arrays.copyOf(pendingId, n);
    pendingNewName = Arrays.copyOf(pendingNewName, n);
    pendingType = Arrays.copyOf(pendingType, n);
    pendingLength = Arrays.copyOf(pendingLength, n);
    pendingMinBytes = Arrays.copyOf(pendingMinBytes, n);
    pendingMaxBytes = Arrays.copyOf(pendingMaxBytes, n);
  }

  /** Registers a new (valid UTF-8) name. */
  private Accumulator accumulator(byte[] utf8) {
    int id = names.add(utf8);
    String name = new String(utf8, StandardCharsets.UTF_8);
    Accumulator a = new Accumulator(name);
    byId.add(a);
    byName.put(name, a);
    if (id == seenInRecord.length) {
      seenInRecord = Arrays.copyOf(seenInRecord, id * 2);
      slotInRecord = Arrays.copyOf(slotInRecord, id * 2);
    }
    return a;
  }

  private static boolean isUtf8(byte[] name) {
    return Utf8.isValid(name, 0, name.length);
  }

  @Serial
  private Object writeReplace() {
    List<long[]> counts = new ArrayList<>(byId.size());
    List<String> featureNames = new ArrayList<>(byId.size());
    List<FeatureType> types = new ArrayList<>(byId.size());
    for (Accumulator a : byId) {
      featureNames.add(a.name);
      types.add(a.type);
      counts.add(
          new long[] {
            a.mixed ? 1 : 0, a.minLength, a.maxLength, a.minValueBytes, a.maxValueBytes, a.count
          });
    }
    return new SerializedForm(examples, notExamples, featureNames, types, counts);
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a SchemaCollector is read through its serialized form");
  }

  /** What a collector has counted, feature by feature in the order it first saw them. */
  private record SerializedForm(
      long examples,
      long notExamples,
      List<String> names,
      List<FeatureType> types,
      List<long[]> counts)
      implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Serial
    private Object readResolve() throws InvalidObjectException {
      if (names.size() != types.size() || names.size() != counts.size()) {
        throw new InvalidObjectException(
            "schema collector: " + names.size() + " names, " + types.size() + " types");
      }
      SchemaCollector c = new SchemaCollector();
      c.examples = examples;
      c.notExamples = notExamples;
      for (int i = 0; i < names.size(); i++) {
        long[] n = counts.get(i);
        if (n.length != 6 || types.get(i) == null || c.byName.containsKey(names.get(i))) {
          throw new InvalidObjectException("schema collector: bad entry for " + names.get(i));
        }
        Accumulator a = c.accumulator(names.get(i).getBytes(StandardCharsets.UTF_8));
        a.type = types.get(i);
        a.mixed = n[0] != 0;
        a.minLength = n[1];
        a.maxLength = n[2];
        a.minValueBytes = n[3];
        a.maxValueBytes = n[4];
        a.count = n[5];
      }
      return c;
    }
  }

  private static final class Accumulator {
    private final String name;
    private FeatureType type = FeatureType.NONE;
    private boolean mixed;
    private long minLength = Long.MAX_VALUE;
    private long maxLength = Long.MIN_VALUE;
    private long minValueBytes = Long.MAX_VALUE;
    private long maxValueBytes = Long.MIN_VALUE;
    private long count;

    Accumulator(String name) {
      this.name = name;
    }

    void add(FeatureType kind, int length, int minBytes, int maxBytes) {
      count++;
      if (kind == FeatureType.BYTES && length > 0) {
        valueBytes(minBytes);
        valueBytes(maxBytes);
      }
      kind(kind);
      minLength = Math.min(minLength, length);
      maxLength = Math.max(maxLength, length);
    }

    void merge(Accumulator o) {
      count += o.count;
      kind(o.type);
      mixed |= o.mixed;
      minLength = Math.min(minLength, o.minLength);
      maxLength = Math.max(maxLength, o.maxLength);
      minValueBytes = Math.min(minValueBytes, o.minValueBytes);
      maxValueBytes = Math.max(maxValueBytes, o.maxValueBytes);
    }

    private void kind(FeatureType kind) {
      if (kind == FeatureType.NONE) {
        return;
      }
      if (type == FeatureType.NONE) {
        type = kind;
      } else if (type != kind) {
        mixed = true;
      }
    }

    private void valueBytes(long n) {
      minValueBytes = Math.min(minValueBytes, n);
      maxValueBytes = Math.max(maxValueBytes, n);
    }

    FeatureSchema toSchema() {
      boolean bytes = type == FeatureType.BYTES && minValueBytes != Long.MAX_VALUE;
      return new FeatureSchema(
          name,
          type,
          count == 0 ? 0 : minLength,
          count == 0 ? 0 : maxLength,
          bytes ? minValueBytes : -1,
          bytes ? maxValueBytes : -1,
          count,
          mixed);
    }
  }
}
