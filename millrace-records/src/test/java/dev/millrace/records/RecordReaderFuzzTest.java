package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.records.internal.LittleEndian;
import dev.millrace.records.internal.MaskedCrc32c;
import dev.millrace.testkit.FuzzInputs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link RecordReader} under all three compressions and both corruption
 * policies: every input either reads to its end or fails with an {@link IOException} (a {@link
 * CorruptRecordException} or a one-line error about the compressed stream), never another
 * exception, an out-of-memory or a hang; and whatever reads without a corruption is exactly what
 * {@link RecordWriter} would have written for the records read.
 *
 * <p>The control byte (see {@link FuzzInputs}): bits 0–1 the compression (0 none, 1 gzip, 2 zlib);
 * bit 2 {@link CorruptRecordPolicy#SKIP}; bit 3 repair the CRCs of the plain stream first, so that
 * lengths which lie get past the length check; bit 4 the payload is the compressed file itself
 * rather than the plain stream to compress; bit 5 cut the compressed file short by {@code 1 +
 * (control >>> 6)} bytes; bits 6–7 also lower the record limit to 64 bytes when set (3).
 */
class RecordReaderFuzzTest {
  private static final long MAX_RECORD_BYTES = 1 << 20;

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readsOrRejects(byte[] input) throws IOException {
    int control = FuzzInputs.control(input);
    Compression compression = Compression.values()[(control & 3) % 3];
    CorruptRecordPolicy policy =
        (control & 4) != 0 ? CorruptRecordPolicy.SKIP : CorruptRecordPolicy.FAIL;
    boolean asIs = (control & 16) != 0 && compression != Compression.NONE;
    byte[] plain = FuzzInputs.payload(input);
    if ((control & 8) != 0 && !asIs) {
      repairCrcs(plain);
    }
    byte[] file = asIs ? plain : compress(plain, compression);
    if ((control & 32) != 0 && compression != Compression.NONE) {
      file = Arrays.copyOf(file, Math.max(0, file.length - 1 - (control >>> 6)));
    }
    long limit = (control >>> 6) == 3 ? 64 : MAX_RECORD_BYTES;
    Path path = FuzzInputs.file("records.tfrecord" + compression.suffix(), file);

    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    long records = 0;
    long lastOffset = -1;
    try (RecordReader reader = RecordReader.open(path, compression, policy, limit);
        RecordWriter writer = RecordWriter.wrap(rewritten, Compression.NONE)) {
      while (reader.next()) {
        records++;
        assertThat(reader.length()).isBetween(0, (int) limit);
        assertThat(reader.recordOffset()).isGreaterThan(lastOffset);
        lastOffset = reader.recordOffset();
        writer.write(reader.array(), reader.offset(), reader.length());
      }
      assertThat(reader.goodRecords()).isEqualTo(records);
      assertThat(reader.firstCorruption() != null).isEqualTo(reader.corruptRecords() > 0);
      if (reader.corruptRecords() > 0 || asIs || (control & 32) != 0) {
        return; // nothing to compare with: records were skipped, or the stream is not `plain`
      }
    } catch (CorruptRecordException e) {
      assertThat(e.getMessage()).startsWith(path + "@").doesNotContain("\n");
      return;
    } catch (IOException e) {
      // Only opening a compressed stream fails without a record to name.
      assertThat(compression).isNotEqualTo(Compression.NONE);
      assertThat(e.getMessage()).startsWith(path.toString()).doesNotContain("\n");
      return;
    }
    // Read without a corruption: the framing is canonical, so writing the records back gives the
    // plain stream itself.
    assertThat(rewritten.toByteArray()).isEqualTo(plain);
  }

  private static byte[] compress(byte[] plain, Compression compression) {
    return switch (compression) {
      case NONE -> plain;
      case GZIP -> FuzzInputs.gzip(plain);
      case ZLIB -> FuzzInputs.zlib(plain);
    };
  }

  /**
   * Rewrites both CRCs of every record whose header can be read, walking the framing as its lengths
   * say; the walk stops at a length that runs past the end (its length CRC is still made valid).
   */
  static void repairCrcs(byte[] b) {
    CRC32C crc = new CRC32C();
    int p = 0;
    while (b.length - p >= 12) {
      LittleEndian.putInt(b, p + 8, MaskedCrc32c.of(crc, b, p, 8));
      long length = LittleEndian.getLong(b, p);
      if (length < 0 || length > b.length - p - 16) {
        return;
      }
      int data = p + 12;
      LittleEndian.putInt(b, data + (int) length, MaskedCrc32c.of(crc, b, data, (int) length));
      p = data + (int) length + 4;
    }
  }
}
