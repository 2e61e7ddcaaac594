package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

class RecordRoundTripPropertyTest {
  private Path dir;

  @BeforeProperty
  void createDir() throws IOException {
    dir = Files.createTempDirectory("millrace-roundtrip");
  }

  @AfterProperty
  void deleteDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /** Record sizes that stress the reader's 64 KiB buffer: empty, tiny, around 64 KiB, larger. */
  @Provide
  Arbitrary<List<Integer>> recordSizes() {
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(0)),
            Tuple.of(10, Arbitraries.integers().between(1, 300)),
            Tuple.of(4, Arbitraries.integers().between(65_536 - 48, 65_536 + 16)),
            Tuple.of(1, Arbitraries.integers().between(65_536, 300_000)));
    return size.list().ofMaxSize(12);
  }

  @Property(tries = 80)
  void recordsRoundTripThroughWriterAndReader(
      @ForAll("recordSizes") List<Integer> sizes,
      @ForAll long seed,
      @ForAll Compression compression)
      throws IOException {
    // Contents come from the seed: generating large arrays element by element is slow.
    Random rnd = new Random(seed);
    List<byte[]> records = new ArrayList<>();
    for (int n : sizes) {
      byte[] r = new byte[n];
      rnd.nextBytes(r);
      records.add(r);
    }
    Path file = dir.resolve("r.tfrecord" + compression.suffix());
    try (RecordWriter w = RecordWriter.create(file, compression)) {
      for (byte[] r : records) {
        w.write(r);
      }
      assertThat(w.records()).isEqualTo(records.size());
    }
    List<byte[]> read = new ArrayList<>();
    long offset = 0;
    try (RecordReader r = RecordReader.open(file)) {
      while (r.next()) {
        assertThat(r.recordIndex()).isEqualTo(read.size());
        assertThat(r.recordOffset()).isEqualTo(offset);
        offset += 16L + r.length();
        read.add(r.copyRecord());
      }
      assertThat(r.corruptRecords()).isZero();
    }
    assertThat(read).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      assertThat(read.get(i)).as("record %d", i).isEqualTo(records.get(i));
    }
  }
}
