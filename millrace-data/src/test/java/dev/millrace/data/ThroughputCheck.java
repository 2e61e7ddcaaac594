package dev.millrace.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;

import dev.millrace.records.Compression;
import dev.millrace.records.RecordReader;
import dev.millrace.records.RecordWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A self-check of speed, not an assertion (timings never are): records/s for TFRecord → decode
 * image + label → float batches of 128, and the per-element cost of a trivial map + batch +
 * prefetch chain. Run with {@code mvn -pl millrace-data test -Dtest=ThroughputCheck
 * -DexcludedGroups=none}; benchmarks proper live in millrace-bench.
 */
@Tag("slow")
class ThroughputCheck {
  @TempDir Path tmp;

  /** The golden 500 Fashion-MNIST records written 120 times: 60,000 records, like the train set. */
  private Path fashion60k() throws Exception {
    Path out = tmp.resolve("fashion-60k.tfrecord");
    List<byte[]> payloads = new java.util.ArrayList<>();
    try (RecordReader r = RecordReader.open(TestSupport.golden("fashion-train-500.tfrecord"))) {
      while (r.next()) {
        payloads.add(r.copyRecord());
      }
    }
    try (RecordWriter w = RecordWriter.create(out, Compression.NONE)) {
      for (int k = 0; k < 120; k++) {
        for (byte[] p : payloads) {
          w.write(p);
        }
      }
    }
    return out;
  }

  private static void measure(String name, long perElement, Supplier<Dataset<?>> make) {
    // Warm up (C2) for ~2 s, then time ~3 s.
    run(make.get(), 2_000_000_000L, null, perElement);
    run(make.get(), 3_000_000_000L, name, perElement);
  }

  private static void run(Dataset<?> d, long nanos, String name, long perElement) {
    long t0 = System.nanoTime();
    long n = 0;
    try (DatasetIterator<?> it = d.iterator()) {
      while (System.nanoTime() - t0 < nanos && it.hasNext()) {
        it.next();
        n++;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      if (name != null) {
        System.out.printf(
            Locale.ROOT,
            "%-58s %,12.0f records/s  %8.1f ns/record%n    %s%n",
            name,
            n * perElement / secs,
            secs * 1e9 / (n * perElement),
            it.stats().summary());
        System.out.println(it.stats().table().indent(4));
      }
    }
  }

  @Test
  void fashionRecordsToFloatBatches() throws Exception {
    Path file = fashion60k();
    ExampleSpec spec =
        ExampleSpec.of(rawImage("image", 28, 28, 1).toFloat(1f / 255), int64("label"));
    System.out.println("cores: " + Runtime.getRuntime().availableProcessors());
    measure(
        "batch first: batch(128) -> map(decodeBatch, AUTOTUNE) -> prefetch",
        128,
        () ->
            Dataset.tfRecords(file)
                .repeat()
                .batch(128, true, Batcher.toList())
                .map(spec::decodeBatch, Parallelism.AUTOTUNE)
                .prefetch(Parallelism.AUTOTUNE));
    measure(
        "fused batcher: batch(128, spec.batcher()) -> prefetch",
        128,
        () ->
            Dataset.tfRecords(file)
                .repeat()
                .batch(128, true, spec.batcher())
                .prefetch(Parallelism.AUTOTUNE));
    measure(
        "per record: map(decode, AUTOTUNE) -> batch(128) -> prefetch",
        128,
        () ->
            Dataset.tfRecords(file)
                .repeat()
                .map(spec::decode, Parallelism.AUTOTUNE)
                .batch(128, true)
                .prefetch(Parallelism.AUTOTUNE));
    measure(
        "read + CRC only: tfRecords -> prefetch",
        1,
        () -> Dataset.tfRecords(file).repeat().prefetch(Parallelism.AUTOTUNE));
  }

  @Test
  void trivialMapBatchPrefetchPerElementCost() {
    measure(
        "range -> map(x + 1) -> batch(128, toList) -> prefetch",
        128,
        () ->
            Dataset.range(Long.MAX_VALUE)
                .map(x -> x + 1)
                .batch(128, true, Batcher.toList())
                .prefetch(Parallelism.AUTOTUNE));
    measure(
        "range -> map(x + 1, AUTOTUNE) -> batch(128, toList) -> prefetch",
        128,
        () ->
            Dataset.range(Long.MAX_VALUE)
                .map(x -> x + 1, Parallelism.AUTOTUNE)
                .batch(128, true, Batcher.toList())
                .prefetch(Parallelism.AUTOTUNE));
  }
}
