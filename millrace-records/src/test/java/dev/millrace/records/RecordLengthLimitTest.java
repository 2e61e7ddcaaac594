package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.internal.LittleEndian;
import dev.millrace.records.internal.MaskedCrc32c;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Length fields that lie, with valid length CRCs: the reader allocates only what really follows.
 */
class RecordLengthLimitTest {
  @TempDir Path tmp;

  @Test
  void lyingLengthInACompressedStreamGrowsTheBufferOnlyWithTheBytesThatArrive() throws IOException {
    byte[] plain = new byte[12 + 100];
    header(plain, 1L << 30);
    Path p = tmp.resolve("lying.tfrecord.gz");
    Files.write(p, gzip(plain));
    try (RecordReader r = RecordReader.open(p, Compression.GZIP, CorruptRecordPolicy.SKIP)) {
      assertThat(r.next()).isFalse();
      assertThat(r.corruptRecords()).isEqualTo(1);
      assertThat(r.firstCorruption().getMessage())
          .isEqualTo(
              p
                  + "@0 of the decompressed stream (record 0): truncated record: needs 1073741840"
                  + " bytes, only 112 remain");
      assertThat(r.array().length).isLessThan(1 << 20);
    }
  }

  @Test
  void recordsLongerThanTheConfiguredLimitAreCorrupt() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RecordWriter w = RecordWriter.wrap(bytes, Compression.NONE)) {
      w.write(new byte[10]);
    }
    Path p = tmp.resolve("ten.tfrecord");
    Files.write(p, bytes.toByteArray());
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.FAIL, 9)) {
      assertThatThrownBy(r::next)
          .isInstanceOf(CorruptRecordException.class)
          .hasMessage(
              p
                  + "@0 (record 0): record length 10 is more than the limit of 9 bytes (system"
                  + " property "
                  + RecordReader.MAX_RECORD_BYTES_PROPERTY
                  + ")");
    }
    try (RecordReader r = RecordReader.open(p, Compression.NONE, CorruptRecordPolicy.FAIL, 10)) {
      assertThat(r.next()).isTrue();
      assertThat(r.length()).isEqualTo(10);
    }
  }

  /** A record header claiming {@code length} bytes, with a correct length CRC. */
  private static void header(byte[] b, long length) {
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (length >>> (8 * k));
    }
    LittleEndian.putInt(b, 8, MaskedCrc32c.of(new CRC32C(), b, 0, 8));
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }
}
