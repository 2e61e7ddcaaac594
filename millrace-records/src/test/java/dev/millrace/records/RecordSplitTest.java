package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readers of splits of one file ({@link RecordReader#openSplit}) together read what one reader of
 * the whole file reads: every record once, in order, each from the split it starts in, and every
 * corrupt record reported by exactly one split.
 */
class RecordSplitTest {
  private static final int[] SPLIT_BYTES = {1, 7, 16, 17, 100, 999, 4096, 1 << 30};

  /**
   * Fewer sizes where every site of damage is tried. (A split much smaller than the records costs a
   * search through a record per split, which is why Spark's splits are megabytes.)
   */
  private static final int[] FEWER_SPLIT_BYTES = {7, 17, 100, 999, 1 << 30};

  @TempDir Path tmp;

  /** A record as a split or whole reader returned it. */
  private record Seen(long offset, byte[] data) {}

  /** What a set of readers saw, and the failures and skips they reported. */
  private record Outcome(List<Seen> records, List<CorruptRecordException> failures, long skipped) {
    List<Long> offsets() {
      return records.stream().map(Seen::offset).toList();
    }
  }

  private static byte[] payload(Random random, int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  /** Records of random lengths below 300 bytes, framed. */
  private static byte[] randomFile(long seed, int records) throws IOException {
    return randomFile(seed, records, -1);
  }

  /** Records of random lengths, the one at {@code bigAt} of 200,000 bytes, framed. */
  private static byte[] randomFile(long seed, int records, int bigAt) throws IOException {
    Random random = new Random(seed);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RecordWriter w = RecordWriter.wrap(bytes, Compression.NONE)) {
      for (int i = 0; i < records; i++) {
        int length = i == bigAt ? 200_000 : random.nextInt(300);
        w.write(payload(random, length));
      }
    }
    return bytes.toByteArray();
  }

  private Path write(byte[] bytes) throws IOException {
    Path p = tmp.resolve("data.tfrecord");
    Files.write(p, bytes);
    return p;
  }

  private static Outcome whole(Path file, CorruptRecordPolicy policy) throws IOException {
    List<Seen> seen = new ArrayList<>();
    List<CorruptRecordException> failures = new ArrayList<>();
    long skipped;
    try (RecordReader r = RecordReader.open(file, Compression.NONE, policy)) {
      try {
        while (r.next()) {
          seen.add(new Seen(r.recordOffset(), r.copyRecord()));
        }
      } catch (CorruptRecordException e) {
        failures.add(e);
      }
      skipped = r.corruptRecords();
    }
    return new Outcome(seen, failures, skipped);
  }

  /** Reads the file in splits of {@code splitBytes}; a split that fails contributes nothing. */
  private static Outcome inSplits(Path file, long splitBytes, CorruptRecordPolicy policy)
      throws IOException {
    long size = Files.size(file);
    List<Seen> seen = new ArrayList<>();
    List<CorruptRecordException> failures = new ArrayList<>();
    long skipped = 0;
    for (long start = 0; start < size; start += splitBytes) {
      long end = Math.min(size, start + splitBytes);
      List<Seen> mine = new ArrayList<>();
      try (RecordReader r = RecordReader.openSplit(file, start, end, policy)) {
        while (r.next()) {
          mine.add(new Seen(r.recordOffset(), r.copyRecord()));
        }
        seen.addAll(mine);
        skipped += r.corruptRecords();
      } catch (CorruptRecordException e) {
        failures.add(e);
      }
    }
    return new Outcome(seen, failures, skipped);
  }

  private static void assertSameRecords(Outcome actual, Outcome expected) {
    assertThat(actual.offsets()).isEqualTo(expected.offsets());
    for (int i = 0; i < expected.records().size(); i++) {
      assertThat(actual.records().get(i).data()).isEqualTo(expected.records().get(i).data());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void splitsTogetherReadEveryRecordOnceInOrder(long seed) throws IOException {
    Path file = write(randomFile(seed, 60));
    Outcome expected = whole(file, CorruptRecordPolicy.FAIL);
    assertThat(expected.records()).hasSize(60);

    for (long splitBytes : SPLIT_BYTES) {
      Outcome actual = inSplits(file, splitBytes, CorruptRecordPolicy.FAIL);
      assertThat(actual.failures()).as("split bytes %d", splitBytes).isEmpty();
      assertSameRecords(actual, expected);
    }
  }

  @Test
  void aRecordLargerThanTheSearchWindowIsFoundAndReadOnce() throws IOException {
    Path file = write(randomFile(11, 20, 10));
    Outcome expected = whole(file, CorruptRecordPolicy.FAIL);
    assertThat(expected.records()).hasSize(20);

    for (long splitBytes : new long[] {4096, 65_536, 70_001, 1 << 30}) {
      Outcome actual = inSplits(file, splitBytes, CorruptRecordPolicy.FAIL);
      assertThat(actual.failures()).as("split bytes %d", splitBytes).isEmpty();
      assertSameRecords(actual, expected);
    }
  }

  @Test
  void aRecordComesFromTheSplitItStartsIn() throws IOException {
    Path file = write(randomFile(4, 40));
    long size = Files.size(file);
    long splitBytes = 333;
    for (long start = 0; start < size; start += splitBytes) {
      long end = Math.min(size, start + splitBytes);
      try (RecordReader r = RecordReader.openSplit(file, start, end, CorruptRecordPolicy.FAIL)) {
        long index = 0;
        while (r.next()) {
          assertThat(r.recordOffset()).isBetween(start, end - 1);
          assertThat(r.recordIndex()).isEqualTo(index++);
        }
      }
    }
  }

  /** Byte positions to damage in record {@code k}: its length, length CRC, data, data CRC. */
  private static long[] damageSites(Outcome whole, int k) {
    long header = whole.records().get(k).offset();
    int length = whole.records().get(k).data().length;
    return new long[] {header + 3, header + 9, header + 12 + length / 2, header + 12 + length + 1};
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6})
  void exactlyOneSplitFailsOnACorruptRecordWithItsOffset(long seed) throws IOException {
    byte[] clean = randomFile(seed, 30);
    Outcome cleanWhole = whole(write(clean), CorruptRecordPolicy.FAIL);
    for (int k : new int[] {0, 7, 29}) {
      for (long site : damageSites(cleanWhole, k)) {
        if (cleanWhole.records().get(k).data().length == 0
            && site == damageSites(cleanWhole, k)[2]) {
          continue; // an empty record has no data byte to damage
        }
        byte[] damaged = clean.clone();
        damaged[(int) site] ^= 0x40;
        Path file = write(damaged);
        CorruptRecordException expected = whole(file, CorruptRecordPolicy.FAIL).failures().get(0);

        for (long splitBytes : FEWER_SPLIT_BYTES) {
          Outcome actual = inSplits(file, splitBytes, CorruptRecordPolicy.FAIL);
          assertThat(actual.failures())
              .as("record %d damaged at %d, split bytes %d", k, site, splitBytes)
              .hasSize(1);
          CorruptRecordException e = actual.failures().get(0);
          assertThat(e.offset()).isEqualTo(expected.offset());
          assertThat(e.problem()).isEqualTo(expected.problem());
          assertThat(e.recordIndex()).isEqualTo(-1);
          assertThat(e.getMessage()).isEqualTo(file + "@" + e.offset() + ": " + e.problem());
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8})
  void skippingSplitsCountEachCorruptRecordOnce(long seed) throws IOException {
    byte[] clean = randomFile(seed, 30);
    Outcome cleanWhole = whole(write(clean), CorruptRecordPolicy.FAIL);
    byte[] damaged = clean.clone();
    // Data damage in record 3, header damage in record 12, a damaged length CRC in record 20.
    damaged[(int) damageSites(cleanWhole, 3)[3]] ^= 1;
    damaged[(int) damageSites(cleanWhole, 12)[0]] ^= 1;
    damaged[(int) damageSites(cleanWhole, 20)[1]] ^= 1;
    Path file = write(damaged);
    Outcome expected = whole(file, CorruptRecordPolicy.SKIP);
    assertThat(expected.skipped()).isEqualTo(3);
    assertThat(expected.records()).hasSize(27);

    for (long splitBytes : SPLIT_BYTES) {
      Outcome actual = inSplits(file, splitBytes, CorruptRecordPolicy.SKIP);
      assertThat(actual.failures()).isEmpty();
      assertThat(actual.skipped()).as("split bytes %d", splitBytes).isEqualTo(3);
      assertSameRecords(actual, expected);
    }
  }

  @Test
  void aTruncatedLastRecordIsReportedOnce() throws IOException {
    byte[] clean = randomFile(9, 10);
    byte[] truncated = java.util.Arrays.copyOf(clean, clean.length - 5);
    Path file = write(truncated);
    CorruptRecordException expected = whole(file, CorruptRecordPolicy.FAIL).failures().get(0);
    for (long splitBytes : SPLIT_BYTES) {
      Outcome actual = inSplits(file, splitBytes, CorruptRecordPolicy.FAIL);
      assertThat(actual.failures()).as("split bytes %d", splitBytes).hasSize(1);
      assertThat(actual.failures().get(0).offset()).isEqualTo(expected.offset());
    }
  }

  @Test
  void aRecordHoldingARecordCannotBeSplitInsideIt() throws IOException {
    Random random = new Random(10);
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    try (RecordWriter w = RecordWriter.wrap(inner, Compression.NONE)) {
      w.write(payload(random, 50));
    }
    ByteArrayOutputStream outer = new ByteArrayOutputStream();
    byte[] nested = new byte[200];
    System.arraycopy(inner.toByteArray(), 0, nested, 100, 66);
    try (RecordWriter w = RecordWriter.wrap(outer, Compression.NONE)) {
      w.write(payload(random, 30));
      w.write(nested); // header at 46; the inner record at 46 + 12 + 100 = 158
      w.write(payload(random, 30));
    }
    Path file = write(outer.toByteArray());

    try (RecordReader first = RecordReader.openSplit(file, 0, 100, CorruptRecordPolicy.SKIP)) {
      assertThat(first.next()).isTrue();
      assertThat(first.next()).isTrue();
      assertThatThrownBy(first::next)
          .isInstanceOf(IOException.class)
          .hasMessage(
              file
                  + "@158: a valid record starts inside the record at 46, so a split that begins"
                  + " there would read inside that record (is a TFRecord file stored in a"
                  + " record?); read this file whole, not in splits");
    }
  }

  @Test
  void aSplitOfAFileWithoutRecordsIsEmpty() throws IOException {
    Path file = write(new byte[0]);
    try (RecordReader r = RecordReader.openSplit(file, 0, 0, CorruptRecordPolicy.FAIL)) {
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void aBackwardRangeIsRefused() {
    assertThatThrownBy(
            () -> RecordReader.openSplit(tmp.resolve("x"), 10, 5, CorruptRecordPolicy.FAIL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("split [10, 5) of " + tmp.resolve("x") + " (expected 0 <= start <= end)");
  }
}
