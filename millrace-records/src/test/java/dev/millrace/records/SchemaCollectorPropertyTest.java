package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scanner-based collector against a collector built on protobuf-java's parser, on the name
 * pools of {@link ExampleDecoderPropertyTest}. Each case is numbered by its seed, from which its
 * names and records are derived, so a failing case replays from the seed in its name.
 */
class SchemaCollectorPropertyTest {
  static LongStream seeds() {
    return LongStream.range(0, 150);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void collectorAgreesWithProtobufBasedCollector(long seed) {
    Random rnd = new Random(seed);
    List<String> pool = RandomExamples.namePool(seed, rnd);
    RandomExamples gen = new RandomExamples(seed, pool);
    List<byte[]> records = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      byte[] ex = gen.example();
      records.add(rnd.nextInt(4) == 0 ? ExampleDecoderPropertyTest.damage(ex, rnd) : ex);
    }
    SchemaCollector fast = new SchemaCollector();
    SchemaCollector half = new SchemaCollector();
    Reference reference = new Reference();
    for (int k = 0; k < records.size(); k++) {
      byte[] r = records.get(k);
      fast.observe(r, 0, r.length);
      if (k % 2 == 0) {
        half.observe(r, 0, r.length);
      }
      reference.observe(r);
    }
    assertThat(fast.examples()).isEqualTo(reference.examples);
    assertThat(fast.notExamples()).isEqualTo(reference.notExamples);
    assertThat(fast.schema()).isEqualTo(reference.schema());
    SchemaCollector otherHalf = new SchemaCollector();
    for (int k = 1; k < records.size(); k += 2) {
      otherHalf.observe(records.get(k), 0, records.get(k).length);
    }
    half.merge(otherHalf);
    // After a merge the "first kind seen" of a mixed feature depends on the merge order.
    assertThat(orderFree(half.schema())).isEqualTo(orderFree(reference.schema()));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void consecutivePartsSerializedAndMergedInOrderGiveTheWholeSchema(long seed) throws Exception {
    Random rnd = new Random(seed);
    RandomExamples gen = new RandomExamples(seed, RandomExamples.namePool(seed, rnd));
    List<byte[]> records = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      byte[] ex = gen.example();
      records.add(rnd.nextInt(4) == 0 ? ExampleDecoderPropertyTest.damage(ex, rnd) : ex);
    }
    SchemaCollector whole = new SchemaCollector();
    records.forEach(r -> whole.observe(r, 0, r.length));

    // Parts as a distributed scan makes them: consecutive runs, each shipped back serialized.
    SchemaCollector merged = new SchemaCollector();
    int cut1 = rnd.nextInt(records.size() + 1);
    int cut2 = cut1 + rnd.nextInt(records.size() - cut1 + 1);
    for (List<byte[]> part :
        List.of(records.subList(0, cut1), records.subList(cut1, cut2), records.subList(cut2, 12))) {
      SchemaCollector c = new SchemaCollector();
      part.forEach(r -> c.observe(r, 0, r.length));
      merged.merge(roundTrip(c));
    }

    assertThat(merged.examples()).isEqualTo(whole.examples());
    assertThat(merged.notExamples()).isEqualTo(whole.notExamples());
    assertThat(merged.schema()).isEqualTo(whole.schema());
  }

  private static SchemaCollector roundTrip(SchemaCollector c) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      return (SchemaCollector) in.readObject();
    }
  }

  private static List<FeatureSchema> orderFree(List<FeatureSchema> schema) {
    return schema.stream()
        .map(
            s ->
                s.mixedTypes()
                    ? new FeatureSchema(
                        s.name(), null, s.minLength(), s.maxLength(), 0, 0, s.examples(), true)
                    : s)
        .toList();
  }

  /** The collector as it was before the scanner: parse with protobuf, fold per feature. */
  static final class Reference {
    long examples;
    long notExamples;
    final Map<String, long[]> stats = new TreeMap<>(); // count, minLen, maxLen, minB, maxB
    final Map<String, FeatureType> types = new TreeMap<>();
    final Map<String, Boolean> mixed = new TreeMap<>();

    void observe(byte[] r) {
      Example ex;
      try {
        ex = Example.parseFrom(r);
      } catch (InvalidProtocolBufferException e) {
        notExamples++;
        return;
      }
      examples++;
      for (Map.Entry<String, Feature> e : ex.getFeatures().getFeatureMap().entrySet()) {
        Feature f = e.getValue();
        long[] s =
            stats.computeIfAbsent(
                e.getKey(),
                k ->
                    new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE});
        FeatureType kind =
            switch (f.getKindCase()) {
              case BYTES_LIST -> FeatureType.BYTES;
              case FLOAT_LIST -> FeatureType.FLOAT;
              case INT64_LIST -> FeatureType.INT64;
              case KIND_NOT_SET -> FeatureType.NONE;
            };
        long length =
            f.getBytesList().getValueCount()
                + f.getFloatList().getValueCount()
                + f.getInt64List().getValueCount();
        s[0]++;
        s[1] = Math.min(s[1], length);
        s[2] = Math.max(s[2], length);
        for (var v : f.getBytesList().getValueList()) {
          s[3] = Math.min(s[3], v.size());
          s[4] = Math.max(s[4], v.size());
        }
        FeatureType t = types.getOrDefault(e.getKey(), FeatureType.NONE);
        if (kind != FeatureType.NONE) {
          if (t == FeatureType.NONE) {
            types.put(e.getKey(), kind);
          } else if (t != kind) {
            mixed.put(e.getKey(), true);
          }
        }
      }
    }

    List<FeatureSchema> schema() {
      List<FeatureSchema> out = new ArrayList<>();
      stats.forEach(
          (name, s) -> {
            FeatureType t = types.getOrDefault(name, FeatureType.NONE);
            boolean bytes = t == FeatureType.BYTES && s[3] != Long.MAX_VALUE;
            out.add(
                new FeatureSchema(
                    name,
                    t,
                    s[1],
                    s[2],
                    bytes ? s[3] : -1,
                    bytes ? s[4] : -1,
                    s[0],
                    mixed.getOrDefault(name, false)));
          });
      return out;
    }
  }
}
