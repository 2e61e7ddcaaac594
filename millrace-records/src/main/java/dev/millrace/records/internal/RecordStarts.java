package dev.millrace.records.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Finds where a record starts in an uncompressed TFRecord file without reading the file from its
 * beginning: the first offset at which a whole valid record lies. Valid means both CRCs match (the
 * length CRC alone matches by chance once in 2^32 positions; with the data CRC, once in 2^64), the
 * length is within the limit and the record fits in the file.
 *
 * <p>Reads with positional reads only, so the channel's position is left alone; memory is one 64
 * KiB window and one 64 KiB scratch buffer whatever the record sizes.
 */
public final class RecordStarts {
  private static final int WINDOW = 64 * 1024;

  private RecordStarts() {}

  /**
   * The first offset {@code p >= from} at which a valid record starts, or {@code size} if none
   * does.
   *
   * @param size the file's size
   * @param maxRecordBytes the longest data a record may have
   */
  public static long firstValid(FileChannel channel, long from, long size, long maxRecordBytes)
      throws IOException {
    CRC32C crc = new CRC32C();
    byte[] window = new byte[WINDOW];
    byte[] scratch = null;
    long windowStart = from;
    int windowLength = 0;
    for (long p = from; p + 16 <= size; p++) {
      int i = (int) (p - windowStart);
      if (i + 12 > windowLength) {
        windowStart = p;
        windowLength = (int) Math.min(WINDOW, size - p);
        readFully(channel, window, 0, windowLength, p);
        i = 0;
      }
      if (MaskedCrc32c.of(crc, window, i, 8) != LittleEndian.getInt(window, i + 8)) {
        continue;
      }
      long length = LittleEndian.getLong(window, i);
      if (length < 0 || length > maxRecordBytes || p + 16 + length > size) {
        continue;
      }
      int storedDataCrc;
      if (i + 16 + length <= windowLength) {
        crc.reset();
        crc.update(window, i + 12, (int) length);
        storedDataCrc = LittleEndian.getInt(window, i + 12 + (int) length);
      } else {
        if (scratch == null) {
          scratch = new byte[WINDOW];
        }
        crc.reset();
        long at = p + 12;
        long left = length;
        while (left > 0) {
          int n = (int) Math.min(left, scratch.length);
          readFully(channel, scratch, 0, n, at);
          crc.update(scratch, 0, n);
          at += n;
          left -= n;
        }
        readFully(channel, scratch, 0, 4, at);
        storedDataCrc = LittleEndian.getInt(scratch, 0);
      }
      if (MaskedCrc32c.mask((int) crc.getValue()) == storedDataCrc) {
        return p;
      }
    }
    return size;
  }

  private static void readFully(FileChannel channel, byte[] into, int off, int n, long position)
      throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, off, n);
    while (b.hasRemaining()) {
      if (channel.read(b, position + (b.position() - off)) < 0) {
        throw new EOFException(
            "file ended at "
                + (position + b.position() - off)
                + " while "
                + n
                + " bytes at "
                + position
                + " were being read");
      }
    }
  }
}
