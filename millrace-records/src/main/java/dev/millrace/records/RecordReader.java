package dev.millrace.records;

import dev.millrace.records.internal.LittleEndian;
import dev.millrace.records.internal.MaskedCrc32c;
import dev.millrace.records.internal.RecordStarts;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Streams the records of one TFRecord file, checking both CRCs of every record.
 *
 * <p>Memory is bounded by the largest record: records are read into a reused buffer (64 KiB by
 * default) that grows only to hold a record larger than itself and shrinks back afterwards. The
 * record returned by {@link #array()}, {@link #offset()} and {@link #length()} is a view into that
 * buffer, valid until the next call to {@link #next()}; this is what keeps the hot path free of
 * allocation. Use {@link #copyRecord()} to keep one.
 *
 * <p>Not thread-safe: one reader belongs to one thread.
 */
public final class RecordReader implements Closeable {
  /** The system property that lowers the record size limit from its default. */
  public static final String MAX_RECORD_BYTES_PROPERTY = "millrace.records.maxRecordBytes";

  /**
   * The default (and highest) record size limit: Java arrays stop short of 2 GiB, so larger records
   * cannot be materialised.
   */
  public static final long DEFAULT_MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  private static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

  private final Path file;

  /** The file itself when uncompressed, else null. */
  private final ReadableByteChannel channel;

  /** The decompressing stream when compressed, else null; read straight into {@link #buf}. */
  private final InputStream stream;

  /** Ended on close: InflaterInputStream does not end an Inflater it was given. */
  private final Inflater inflater;

  private final Compression compression;
  private final boolean compressed;
  private final long knownSize;
  private final CorruptRecordPolicy policy;
  private final long maxRecordBytes;
  private final CRC32C crc = new CRC32C();

  private byte[] buf = new byte[DEFAULT_BUFFER_BYTES];
  private ByteBuffer bufView = ByteBuffer.wrap(buf);
  private int pos;
  private int limit;
  private long bufStartOffset;
  private boolean endOfStream;

  /**
   * For a reader of one split: the offset of the record that starts the next split (or the file's
   * size), where this reader stops; -1 for a reader of the whole file.
   */
  private long splitStop = -1;

  /** The header offset of the last record this reader reached, good or corrupt. */
  private long lastHeaderOffset = -1;

  private long nextIndex;
  private long recordIndex = -1;
  private long recordOffset = -1;
  private int recordStart;
  private int recordLength;
  private long goodRecords;
  private long corruptRecords;
  private CorruptRecordException firstCorruption;

  private RecordReader(
      Path file,
      ReadableByteChannel channel,
      InputStream stream,
      Inflater inflater,
      Compression compression,
      long knownSize,
      CorruptRecordPolicy policy,
      long maxRecordBytes) {
    this.file = file;
    this.channel = channel;
    this.stream = stream;
    this.inflater = inflater;
    this.compression = compression;
    this.compressed = compression != Compression.NONE;
    this.knownSize = knownSize;
    this.policy = policy;
    this.maxRecordBytes = Math.min(maxRecordBytes, DEFAULT_MAX_RECORD_BYTES);
  }

  /** Opens {@code file}, detecting compression from its suffix, failing on the first corruption. */
  public static RecordReader open(Path file) throws IOException {
    return open(file, Compression.fromFileName(file), CorruptRecordPolicy.FAIL);
  }

  /**
   * Opens {@code file} with the given compression and corruption policy.
   *
   * <p>A compressed stream that cannot be decompressed (a bad header, damaged deflate data, a
   * truncated file) fails with a one-line {@link IOException} naming the file, under either policy:
   * after such damage nothing more of the file can be read.
   *
   * <p>A record longer than {@link #maxRecordBytes()} is corrupt. A length field is checked against
   * the file's size before its record is read; inside a compressed stream, whose size is unknown,
   * the buffer grows only as the record's bytes arrive.
   */
  public static RecordReader open(Path file, Compression compression, CorruptRecordPolicy policy)
      throws IOException {
    return open(file, compression, policy, maxRecordBytes());
  }

  /**
   * {@value #DEFAULT_MAX_RECORD_BYTES} bytes, or the value of the system property {@value
   * #MAX_RECORD_BYTES_PROPERTY} if lower.
   */
  public static long maxRecordBytes() {
    return Math.min(
        SizeLimits.fromProperty(
            MAX_RECORD_BYTES_PROPERTY, DEFAULT_MAX_RECORD_BYTES, "a byte count"),
        DEFAULT_MAX_RECORD_BYTES);
  }

  static RecordReader open(
      Path file, Compression compression, CorruptRecordPolicy policy, long maxRecordBytes)
      throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    if (compression == Compression.NONE) {
      try {
        return new RecordReader(
            file, channel, null, null, compression, channel.size(), policy, maxRecordBytes);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    InputStream raw = new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024);
    Inflater inflater = null;
    try {
      InputStream inflated;
      if (compression == Compression.GZIP) {
        inflated = new GZIPInputStream(raw, 64 * 1024);
      } else {
        inflater = new Inflater();
        inflated = new InflaterInputStream(raw, inflater, 64 * 1024);
      }
      return new RecordReader(
          file, null, inflated, inflater, compression, -1, policy, maxRecordBytes);
    } catch (IOException | RuntimeException e) {
      raw.close();
      if (inflater != null) {
        inflater.end();
      }
      // GZIPInputStream's EOFException has no message: the file is shorter than a gzip header.
      String why =
          e instanceof java.io.EOFException && e.getMessage() == null
              ? "the file ends inside the gzip header"
              : oneLine(e);
      throw new IOException(file + ": not a valid " + compression + " stream: " + why, e);
    }
  }

  /**
   * Opens the part of an uncompressed file that one of several readers sharing it reads: the
   * records of the split {@code [start, end)} of its bytes (a Spark task per split, say).
   *
   * <p>A split begins at the first valid record at or after {@code start} (at offset 0 for the
   * first split), valid meaning that both its length CRC and its data CRC match and that it fits in
   * the file, and reads the file's records from there, as a reader of the whole file reads them, up
   * to the first valid record at or after {@code end}, where the next split begins. So the splits
   * {@code [0, b), [b, c), ..., [y, size)} together give every record of the file exactly once and
   * in order, each from the split in which it starts; a corrupt record just after a split boundary,
   * which no split can begin at, is met by the split before it, so under {@link
   * CorruptRecordPolicy#FAIL} exactly one split fails on it, and under {@link
   * CorruptRecordPolicy#SKIP} exactly one counts it.
   *
   * <p>Offsets are the file's. {@link #recordIndex()} counts from the split's first record, and a
   * {@link CorruptRecordException} from a split reader carries no record index (-1): the records
   * before the split are not counted.
   *
   * <p>If valid-looking record bytes lie inside a record's data (a TFRecord file stored in a
   * record), a split may begin inside that record; the split before it then finds its own records
   * running past that beginning and fails with an {@link IOException} naming both offsets, rather
   * than let the two splits disagree. Such a file must be read whole.
   *
   * @throws IllegalArgumentException unless {@code 0 <= start <= end}
   */
  public static RecordReader openSplit(Path file, long start, long end, CorruptRecordPolicy policy)
      throws IOException {
    return openSplit(file, start, end, policy, maxRecordBytes());
  }

  static RecordReader openSplit(
      Path file, long start, long end, CorruptRecordPolicy policy, long maxRecordBytes)
      throws IOException {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          "split [" + start + ", " + end + ") of " + file + " (expected 0 <= start <= end)");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      long limit = Math.min(maxRecordBytes, DEFAULT_MAX_RECORD_BYTES);
      long first = start == 0 ? 0 : RecordStarts.firstValid(channel, start, size, limit);
      long stop = end >= size ? size : RecordStarts.firstValid(channel, end, size, limit);
      RecordReader reader =
          new RecordReader(
              file, channel, null, null, Compression.NONE, size, policy, maxRecordBytes);
      channel.position(first);
      reader.bufStartOffset = first;
      reader.splitStop = Math.max(first, stop);
      return reader;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Advances to the next record.
   *
   * @return false at the end of the file
   * @throws CorruptRecordException on a bad record when the policy is {@link
   *     CorruptRecordPolicy#FAIL}, and under either policy when a compressed stream is damaged or
   *     truncated (its message then names the compression and the decompressor's complaint)
   */
  public boolean next() throws IOException {
    while (true) {
      long headerOffset = offsetOf(pos);
      if (splitStop >= 0 && headerOffset >= splitStop) {
        if (headerOffset > splitStop) {
          throw new IOException(
              file
                  + "@"
                  + splitStop
                  + ": a valid record starts inside the record at "
                  + lastHeaderOffset
                  + ", so a split that begins there would read inside that record (is a TFRecord"
                  + " file stored in a record?); read this file whole, not in splits");
        }
        return false;
      }
      lastHeaderOffset = headerOffset;
      if (!fill(12)) {
        if (limit == pos) {
          return false;
        }
        corrupt(headerOffset, "truncated record header (" + (limit - pos) + " of 12 bytes)");
        pos = limit;
        return false;
      }
      long length = LittleEndian.getLong(buf, pos);
      int storedLengthCrc = LittleEndian.getInt(buf, pos + 8);
      if (MaskedCrc32c.of(crc, buf, pos, 8) != storedLengthCrc) {
        corrupt(headerOffset, "length CRC mismatch");
        resynchronise();
        continue;
      }
      if (length < 0 || length > maxRecordBytes) {
        corrupt(
            headerOffset,
            "record length "
                + Long.toUnsignedString(length)
                + " is more than the limit of "
                + maxRecordBytes
                + " bytes (system property "
                + MAX_RECORD_BYTES_PROPERTY
                + ")");
        resynchronise();
        continue;
      }
      if (knownSize >= 0 && headerOffset + 16 + length > knownSize) {
        corrupt(
            headerOffset,
            "truncated record: needs " + (16 + length) + " bytes, file ends at " + knownSize);
        pos = limit;
        endOfStream = true;
        return false;
      }
      int total = 16 + (int) length;
      if (!fill(total)) {
        corrupt(
            headerOffset,
            "truncated record: needs " + total + " bytes, only " + (limit - pos) + " remain");
        pos = limit;
        return false;
      }
      int dataStart = pos + 12;
      int storedDataCrc = LittleEndian.getInt(buf, dataStart + (int) length);
      if (MaskedCrc32c.of(crc, buf, dataStart, (int) length) != storedDataCrc) {
        corrupt(headerOffset, "data CRC mismatch");
        pos += total;
        continue;
      }
      recordIndex = nextIndex++;
      recordOffset = headerOffset;
      recordStart = dataStart;
      recordLength = (int) length;
      goodRecords++;
      pos += total;
      return true;
    }
  }

  /** The buffer holding the current record; valid until the next call to {@link #next()}. */
  public byte[] array() {
    return buf;
  }

  /** Where the current record's data starts in {@link #array()}. */
  public int offset() {
    return recordStart;
  }

  /** The current record's length in bytes. */
  public int length() {
    return recordLength;
  }

  /** A read-only view of the current record; valid until the next call to {@link #next()}. */
  public ByteBuffer record() {
    return ByteBuffer.wrap(buf, recordStart, recordLength).slice().asReadOnlyBuffer();
  }

  /** A copy of the current record's data. */
  public byte[] copyRecord() {
    return Arrays.copyOfRange(buf, recordStart, recordStart + recordLength);
  }

  /**
   * Zero-based index of the current record in the file, corrupt records counted. After a damaged
   * header the reader slides to the next valid header; the records lost on the way count as one, so
   * later indices may fall behind the true record numbers ({@link #recordOffset()} stays exact). A
   * reader of a split ({@link #openSplit}) counts from the split's first record.
   */
  public long recordIndex() {
    return recordIndex;
  }

  /** Byte offset of the current record's header (in the decompressed stream if compressed). */
  public long recordOffset() {
    return recordOffset;
  }

  /** Good records returned so far. */
  public long goodRecords() {
    return goodRecords;
  }

  /** Corrupt records skipped so far (always 0 under {@link CorruptRecordPolicy#FAIL}). */
  public long corruptRecords() {
    return corruptRecords;
  }

  /** The first corruption skipped under {@link CorruptRecordPolicy#SKIP}, or null. */
  public CorruptRecordException firstCorruption() {
    return firstCorruption;
  }

  /** Bytes consumed so far (of the decompressed stream, if compressed). */
  public long position() {
    return offsetOf(pos);
  }

  public Path file() {
    return file;
  }

  public boolean isCompressed() {
    return compressed;
  }

  @Override
  public void close() throws IOException {
    try {
      if (stream != null) {
        stream.close();
      } else {
        channel.close();
      }
    } finally {
      if (inflater != null) {
        inflater.end();
      }
    }
  }

  private long offsetOf(int index) {
    return bufStartOffset + index;
  }

  private void corrupt(long offset, String problem) throws CorruptRecordException {
    CorruptRecordException e =
        new CorruptRecordException(
            file, splitStop >= 0 ? -1 : nextIndex, offset, compressed, problem);
    if (policy == CorruptRecordPolicy.FAIL) {
      throw e;
    }
    if (firstCorruption == null) {
      firstCorruption = e;
    }
    corruptRecords++;
    nextIndex++;
  }

  /**
   * After a bad header nothing says where the next record starts; slide one byte at a time until a
   * header's length CRC matches again (a false match has odds of 1 in 2^32 per position). If none
   * does, the rest of the file belongs to the corrupt record (it is not counted a second time as a
   * truncated header).
   */
  private void resynchronise() throws IOException {
    pos++;
    while (fill(12)) {
      if (MaskedCrc32c.of(crc, buf, pos, 8) == LittleEndian.getInt(buf, pos + 8)
          && LittleEndian.getLong(buf, pos) >= 0
          && LittleEndian.getLong(buf, pos) <= maxRecordBytes) {
        return;
      }
      pos++;
    }
    pos = limit;
  }

  /**
   * Makes at least {@code needed} bytes available at {@code pos}; false if the stream ends first.
   */
  private boolean fill(int needed) throws IOException {
    if (limit - pos >= needed) {
      return true;
    }
    makeRoom(needed);
    while (limit - pos < needed && !endOfStream) {
      if (limit == buf.length) {
        makeRoom(needed); // a compressed stream's record: grow as its bytes arrive
      }
      int n;
      if (stream == null) {
        bufView.limit(buf.length).position(limit);
        n = channel.read(bufView);
      } else {
        n = readDecompressed();
      }
      if (n < 0) {
        endOfStream = true;
      } else {
        limit += n;
      }
    }
    return limit - pos >= needed;
  }

  /** Reads from the decompressing stream, turning its errors into one line that names the file. */
  private int readDecompressed() throws IOException {
    try {
      return stream.read(buf, limit, buf.length - limit);
    } catch (IOException e) {
      // A damaged or truncated stream cannot be resynchronised: fail under either policy.
      throw new CorruptRecordException(
          file,
          nextIndex,
          offsetOf(pos),
          true,
          compression + " stream is damaged or truncated (" + oneLine(e) + ")");
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /**
   * Moves unread bytes to the buffer's start, growing it for a large record or shrinking after. A
   * length in a file of known size has been checked against it, so the buffer grows at once; inside
   * a compressed stream the length is only a claim, so the buffer at most doubles per call, and a
   * lying length costs no more than twice the bytes that really follow it.
   */
  private void makeRoom(int needed) {
    int unread = limit - pos;
    int capacity = buf.length;
    if (needed > capacity) {
      long target = compressed ? Math.min(needed, 2L * capacity) : Math.max(needed, 2L * capacity);
      capacity = (int) Math.min(DEFAULT_MAX_RECORD_BYTES + 16, target);
    } else if (capacity > 4 * DEFAULT_BUFFER_BYTES
        && needed <= DEFAULT_BUFFER_BYTES
        && unread <= DEFAULT_BUFFER_BYTES) {
      capacity = DEFAULT_BUFFER_BYTES;
    }
    if (capacity != buf.length) {
      byte[] next = new byte[capacity];
      System.arraycopy(buf, pos, next, 0, unread);
      buf = next;
      bufView = ByteBuffer.wrap(buf);
    } else if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, unread);
    }
    bufStartOffset += pos;
    limit = unread;
    pos = 0;
  }
}
