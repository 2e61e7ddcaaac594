package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** What the reader does with damaged files: exact locations under FAIL, counting under SKIP. */
class RecordCorruptionTest {
  /** Three records of 10 bytes: 26 framed bytes each, headers at 0, 26 and 52. */
  private static final int RECORD = 26;

  @TempDir Path tmp;

  private Path file(byte[] bytes) throws IOException {
    Path p = tmp.resolve("data-00000-of-00001.tfrecord");
    Files.write(p, bytes);
    return p;
  }

  private static byte[] records(byte[]... payloads) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RecordWriter w = RecordWriter.wrap(bytes, Compression.NONE)) {
      for (byte[] p : payloads) {
        w.write(p);
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] payload(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] threeRecords() throws IOException {
    return records(payload(10, 1), payload(10, 2), payload(10, 3));
  }

  private static List<byte[]> readAll(Path p, CorruptRecordPolicy policy) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(p, Compression.fromFileName(p), policy)) {
      while (r.next()) {
        out.add(r.copyRecord());
      }
    }
    return out;
  }

  /** Reads with FAIL; returns the exception after checking the two good records before it. */
  private CorruptRecordException failOnThirdRecord(byte[] bytes) throws IOException {
    Path p = file(bytes);
    try (RecordReader r = RecordReader.open(p)) {
      assertThat(r.next()).isTrue();
      assertThat(r.copyRecord()).isEqualTo(payload(10, 1));
      assertThat(r.next()).isTrue();
      assertThat(r.copyRecord()).isEqualTo(payload(10, 2));
      assertThat(r.recordOffset()).isEqualTo(RECORD);
      CorruptRecordException e = catchThrowableOfType(CorruptRecordException.class, r::next);
      assertThat(e).isNotNull();
      assertThat(e.file()).isEqualTo(p);
      assertThat(e.recordIndex()).isEqualTo(2);
      assertThat(e.offset()).isEqualTo(2 * RECORD);
      assertThat(e.getMessage()).isEqualTo(p + "@52 (record 2): " + e.problem());
      return e;
    }
  }

  @Test
  void readerRejectsTruncatedHeaderWithOffset() throws IOException {
    byte[] cut = Arrays.copyOf(threeRecords(), 2 * RECORD + 5);
    assertThat(failOnThirdRecord(cut).problem())
        .isEqualTo("truncated record header (5 of 12 bytes)");
  }

  @Test
  void readerRejectsTruncatedPayloadWithOffset() throws IOException {
    byte[] cut = Arrays.copyOf(threeRecords(), 2 * RECORD + 12 + 4);
    assertThat(failOnThirdRecord(cut).problem())
        .isEqualTo("truncated record: needs 26 bytes, file ends at 68");
  }

  @Test
  void readerRejectsRecordMissingPartOfItsDataCrc() throws IOException {
    byte[] cut = Arrays.copyOf(threeRecords(), 3 * RECORD - 1);
    assertThat(failOnThirdRecord(cut).problem())
        .isEqualTo("truncated record: needs 26 bytes, file ends at 77");
  }

  @ParameterizedTest(name = "flipped byte {0} of the record: {1}")
  @CsvSource({
    "0, length CRC mismatch",
    "7, length CRC mismatch",
    "8, length CRC mismatch",
    "11, length CRC mismatch",
    "12, data CRC mismatch",
    "21, data CRC mismatch",
    "22, data CRC mismatch",
    "25, data CRC mismatch"
  })
  void readerRejectsFlippedByteWithFileRecordAndOffset(int byteInRecord, String problem)
      throws IOException {
    byte[] bytes = threeRecords();
    bytes[2 * RECORD + byteInRecord] ^= 0x10;
    assertThat(failOnThirdRecord(bytes).problem()).isEqualTo(problem);
  }

  @Test
  void readerRejectsAbsurdLengthWhoseCrcMatches() throws IOException {
    byte[] bytes = threeRecords();
    // A length of 2^62 with a valid length CRC: framing is intact but no array can hold it.
    byte[] header = records(new byte[0]);
    long huge = 1L << 62;
    for (int k = 0; k < 8; k++) {
      header[k] = (byte) (huge >>> (8 * k));
    }
    dev.millrace.records.internal.LittleEndian.putInt(
        header,
        8,
        dev.millrace.records.internal.MaskedCrc32c.of(new java.util.zip.CRC32C(), header, 0, 8));
    System.arraycopy(header, 0, bytes, 2 * RECORD, 12);
    assertThat(failOnThirdRecord(bytes).problem())
        .isEqualTo(
            "record length 4611686018427387904 is more than the limit of "
                + RecordReader.DEFAULT_MAX_RECORD_BYTES
                + " bytes (system property "
                + RecordReader.MAX_RECORD_BYTES_PROPERTY
                + ")");
  }

  @Test
  void emptyFileHasNoRecordsAndNoError() throws IOException {
    Path p = file(new byte[0]);
    try (RecordReader r = RecordReader.open(p)) {
      assertThat(r.next()).isFalse();
      assertThat(r.next()).isFalse();
      assertThat(r.goodRecords()).isZero();
      assertThat(r.corruptRecords()).isZero();
      assertThat(r.position()).isZero();
    }
  }

  @Test
  void zeroLengthRecordsAreValid() throws IOException {
    byte[] bytes = records(new byte[0], payload(3, 1), new byte[0]);
    assertThat(bytes).hasSize(16 + 19 + 16);
    Path p = file(bytes);
    try (RecordReader r = RecordReader.open(p)) {
      assertThat(r.next()).isTrue();
      assertThat(r.length()).isZero();
      assertThat(r.copyRecord()).isEmpty();
      assertThat(r.next()).isTrue();
      assertThat(r.copyRecord()).isEqualTo(payload(3, 1));
      assertThat(r.next()).isTrue();
      assertThat(r.length()).isZero();
      assertThat(r.recordOffset()).isEqualTo(35);
      assertThat(r.recordIndex()).isEqualTo(2);
      assertThat(r.next()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void recordsLargerThanTheBufferRoundTripAmongSmallOnes(Compression c) throws IOException {
    int[] sizes = {0, 1, 65_535 - 16, 65_536 - 16, 65_536, 5_000_000, 3, 200_000, 65_537, 70_000};
    List<byte[]> payloads = new ArrayList<>();
    Path p = tmp.resolve("big.tfrecord" + c.suffix());
    try (RecordWriter w = RecordWriter.create(p, c)) {
      for (int k = 0; k < sizes.length; k++) {
        byte[] data = payload(sizes[k], k);
        payloads.add(data);
        w.write(data);
      }
    }
    List<byte[]> read = new ArrayList<>();
    long expectedOffset = 0;
    try (RecordReader r = RecordReader.open(p)) {
      while (r.next()) {
        assertThat(r.recordOffset()).isEqualTo(expectedOffset);
        expectedOffset += 16L + r.length();
        read.add(r.copyRecord());
      }
      assertThat(r.position()).isEqualTo(expectedOffset);
    }
    assertThat(read).hasSameSizeAs(payloads);
    for (int k = 0; k < sizes.length; k++) {
      assertThat(read.get(k)).as("record %d of %d bytes", k, sizes[k]).isEqualTo(payloads.get(k));
    }
  }

  @Test
  void recordViewIsTheCurrentRecord() throws IOException {
    Path p = file(records(payload(100, 1), payload(5, 2)));
    try (RecordReader r = RecordReader.open(p)) {
      assertThat(r.next()).isTrue();
      assertThat(r.record().remaining()).isEqualTo(100);
      assertThat(r.record().isReadOnly()).isTrue();
      assertThat(Arrays.copyOfRange(r.array(), r.offset(), r.offset() + r.length()))
          .isEqualTo(payload(100, 1));
    }
  }

  @Test
  void skipPolicyCountsCorruptRecordsAndContinues() throws IOException {
    byte[][] payloads = new byte[7][];
    for (int k = 0; k < payloads.length; k++) {
      payloads[k] = payload(10, k);
    }
    byte[] bytes = records(payloads);
    bytes[RECORD + 15] ^= 1; // record 1: payload
    bytes[3 * RECORD + 2] ^= 1; // record 3: length
    bytes[5 * RECORD + 9] ^= 1; // record 5: length CRC
    Path p = file(bytes);
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.SKIP)) {
      List<Long> indices = new ArrayList<>();
      List<Long> offsets = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      while (r.next()) {
        indices.add(r.recordIndex());
        offsets.add(r.recordOffset());
        data.add(r.copyRecord());
      }
      assertThat(indices).containsExactly(0L, 2L, 4L, 6L);
      assertThat(offsets).containsExactly(0L, 2L * RECORD, 4L * RECORD, 6L * RECORD);
      assertThat(data).containsExactly(payloads[0], payloads[2], payloads[4], payloads[6]);
      assertThat(r.corruptRecords()).isEqualTo(3);
      assertThat(r.goodRecords()).isEqualTo(4);
      assertThat(r.firstCorruption().getMessage())
          .isEqualTo(p + "@26 (record 1): data CRC mismatch");
    }
  }

  @Test
  void adjacentDamagedHeadersCountAsOneCorruptRegion() throws IOException {
    // After a bad header nothing tells where the lost records began: resynchronisation skips
    // them as one, so later indices fall behind the true record numbers.
    byte[][] payloads = new byte[5][];
    for (int k = 0; k < payloads.length; k++) {
      payloads[k] = payload(10, k);
    }
    byte[] bytes = records(payloads);
    bytes[RECORD + 2] ^= 1;
    bytes[2 * RECORD + 2] ^= 1;
    Path p = file(bytes);
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.SKIP)) {
      List<Long> offsets = new ArrayList<>();
      while (r.next()) {
        offsets.add(r.recordOffset());
      }
      assertThat(offsets).containsExactly(0L, 3L * RECORD, 4L * RECORD);
      assertThat(r.corruptRecords()).isEqualTo(1);
    }
  }

  @Test
  void skipPolicyResynchronisesAfterBadLengthCrcInsideLargeRecords() throws IOException {
    byte[] big = payload(200_000, 7);
    byte[] bytes = records(payload(10, 1), big, payload(10, 3), payload(10, 4));
    int bigAt = RECORD;
    bytes[bigAt + 8] ^= (byte) 0x80; // the big record's length CRC
    Path p = file(bytes);
    List<byte[]> read = readAll(p, CorruptRecordPolicy.SKIP);
    assertThat(read).containsExactly(payload(10, 1), payload(10, 3), payload(10, 4));
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.SKIP)) {
      while (r.next()) {
        // A resynchronised record keeps its place in the count: one corrupt record before it.
        if (Arrays.equals(r.copyRecord(), payload(10, 3))) {
          assertThat(r.recordIndex()).isEqualTo(2);
          assertThat(r.recordOffset()).isEqualTo(bigAt + 16L + big.length);
        }
      }
      assertThat(r.corruptRecords()).isEqualTo(1);
      assertThat(r.firstCorruption().problem()).isEqualTo("length CRC mismatch");
      assertThat(r.firstCorruption().offset()).isEqualTo(bigAt);
    }
  }

  @Test
  void skipPolicyCountsBadLastHeaderOnce() throws IOException {
    byte[] bytes = threeRecords();
    bytes[2 * RECORD + 3] ^= 4;
    Path p = file(bytes);
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.SKIP)) {
      int n = 0;
      while (r.next()) {
        n++;
      }
      assertThat(n).isEqualTo(2);
      assertThat(r.corruptRecords()).isEqualTo(1);
      assertThat(r.position()).isEqualTo(bytes.length);
    }
  }

  @Test
  void skipPolicyCountsTruncatedTailAsOneCorruptRecord() throws IOException {
    Path p = file(Arrays.copyOf(threeRecords(), 2 * RECORD + 20));
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.SKIP)) {
      int n = 0;
      while (r.next()) {
        n++;
      }
      assertThat(n).isEqualTo(2);
      assertThat(r.corruptRecords()).isEqualTo(1);
      assertThat(r.firstCorruption().offset()).isEqualTo(52);
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void corruptRecordInsideCompressedStreamNamesTheDecompressedOffset() throws IOException {
    byte[] plain = threeRecords();
    plain[2 * RECORD + 14] ^= 1;
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    Path p = tmp.resolve("data.tfrecord.gz");
    Files.write(p, gz.toByteArray());
    assertThatThrownBy(() -> readAll(p, CorruptRecordPolicy.FAIL))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessage(p + "@52 of the decompressed stream (record 2): data CRC mismatch");
  }

  @ParameterizedTest
  @EnumSource(value = CorruptRecordPolicy.class)
  void truncatedGzipStreamFailsWithOneLineNamingTheFile(CorruptRecordPolicy policy)
      throws IOException {
    byte[] gz = Golden.bytes("fashion-train-500.tfrecord.gz");
    Path p = tmp.resolve("cut.tfrecord.gz");
    Files.write(p, Arrays.copyOf(gz, gz.length / 2));
    IOException e = catchThrowableOfType(IOException.class, () -> readAll(p, policy));
    assertOneLineNaming(e, p);
    assertThat(e.getMessage()).contains("of the decompressed stream").contains("GZIP stream");
  }

  @ParameterizedTest
  @CsvSource({"fashion-train-500.tfrecord.gz, 1000", "fashion-train-500.tfrecord.zlib, 1000"})
  void damagedDeflateDataFailsWithOneLineNamingTheFile(String golden, int at) throws IOException {
    byte[] bytes = Golden.bytes(golden);
    for (int k = 0; k < 16; k++) {
      bytes[at + k] ^= (byte) 0xa5;
    }
    Path p = tmp.resolve(golden);
    Files.write(p, bytes);
    IOException e =
        catchThrowableOfType(IOException.class, () -> readAll(p, CorruptRecordPolicy.SKIP));
    assertOneLineNaming(e, p);
  }

  @Test
  void notAGzipFileFailsAtOpenWithOneLineNamingTheFile() throws IOException {
    Path p = tmp.resolve("plain.tfrecord.gz");
    Files.write(p, threeRecords());
    IOException e = catchThrowableOfType(IOException.class, () -> RecordReader.open(p).close());
    assertOneLineNaming(e, p);
    assertThat(e.getMessage()).isEqualTo(p + ": not a valid GZIP stream: Not in GZIP format");
  }

  @Test
  void notAZlibFileFailsOnFirstReadWithOneLineNamingTheFile() throws IOException {
    Path p = tmp.resolve("plain.tfrecord.zlib");
    Files.write(p, threeRecords());
    IOException e =
        catchThrowableOfType(IOException.class, () -> readAll(p, CorruptRecordPolicy.SKIP));
    assertOneLineNaming(e, p);
    assertThat(e.getMessage())
        .startsWith(p + "@0 of the decompressed stream (record 0): ZLIB stream");
  }

  private static void assertOneLineNaming(IOException e, Path p) {
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).startsWith(p.toString()).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void writerRejectsBadRangeWithoutWritingHalfARecord() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RecordWriter w = RecordWriter.wrap(bytes, Compression.NONE)) {
      w.write(payload(4, 1));
      assertThatThrownBy(() -> w.write(new byte[10], 5, 6))
          .isInstanceOf(IndexOutOfBoundsException.class);
      w.write(payload(4, 2));
      assertThat(w.records()).isEqualTo(2);
    }
    assertThat(bytes.toByteArray()).isEqualTo(records(payload(4, 1), payload(4, 2)));
  }

  @Test
  void writerRefusesWritesAfterClose() throws IOException {
    RecordWriter w = RecordWriter.wrap(new ByteArrayOutputStream(), Compression.ZLIB);
    w.close();
    w.close();
    assertThatThrownBy(() -> w.write(new byte[1]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
