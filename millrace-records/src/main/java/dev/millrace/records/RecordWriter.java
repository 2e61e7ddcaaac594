package dev.millrace.records;

import dev.millrace.records.internal.LittleEndian;
import dev.millrace.records.internal.MaskedCrc32c;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes records in TensorFlow's TFRecord framing: {@code uint64 length}, {@code masked crc32c of
 * the length}, the data, {@code masked crc32c of the data}; all little-endian. For uncompressed
 * output the bytes are identical to TensorFlow's writer for the same payloads.
 *
 * <p>Not thread-safe: one writer belongs to one thread.
 */
public final class RecordWriter implements Closeable {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final OutputStream out;

  /** Ended on close: DeflaterOutputStream does not end a Deflater it was given. */
  private final Deflater deflater;

  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private final CRC32C crc = new CRC32C();
  private long records;
  private long bytes;
  private boolean closed;

  private RecordWriter(OutputStream out, Deflater deflater) {
    this.out = out;
    this.deflater = deflater;
  }

  /** Creates (or truncates) {@code file} and writes records to it with the given compression. */
  public static RecordWriter create(Path file, Compression compression) throws IOException {
    return wrap(Files.newOutputStream(file), compression);
  }

  /**
   * Writes records to {@code sink}, compressed as asked. Closing the writer closes the sink. The
   * sink need not be buffered.
   */
  public static RecordWriter wrap(OutputStream sink, Compression compression) throws IOException {
    OutputStream buffered = new BufferedOutputStream(sink, BUFFER_BYTES);
    return switch (compression) {
      case NONE -> new RecordWriter(buffered, null);
      case GZIP -> new RecordWriter(new GZIPOutputStream(buffered, BUFFER_BYTES), null);
      case ZLIB -> {
        Deflater deflater = new Deflater();
        yield new RecordWriter(
            new DeflaterOutputStream(buffered, deflater, BUFFER_BYTES, false), deflater);
      }
    };
  }

  /** Appends one record holding all of {@code data}. */
  public void write(byte[] data) throws IOException {
    write(data, 0, data.length);
  }

  /** Appends one record holding {@code data[offset, offset + length)}. */
  public void write(byte[] data, int offset, int length) throws IOException {
    ensureOpen();
    // Checked before the header goes out: a bad range must not leave half a record behind.
    Objects.checkFromIndexSize(offset, length, data.length);
    LittleEndian.putLong(header, 0, length);
    LittleEndian.putInt(header, 8, MaskedCrc32c.of(crc, header, 0, 8));
    out.write(header);
    out.write(data, offset, length);
    LittleEndian.putInt(footer, 0, MaskedCrc32c.of(crc, data, offset, length));
    out.write(footer);
    records++;
    bytes += 16L + length;
  }

  /** Appends one record holding the remaining bytes of {@code data}; its position is unchanged. */
  public void write(ByteBuffer data) throws IOException {
    if (data.hasArray()) {
      write(data.array(), data.arrayOffset() + data.position(), data.remaining());
    } else {
      byte[] copy = new byte[data.remaining()];
      data.duplicate().get(copy);
      write(copy);
    }
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** Framed bytes written so far, before compression (16 bytes of framing per record). */
  public long uncompressedBytes() {
    return bytes;
  }

  /** Pushes buffered bytes to the underlying stream (compressed output may still hold some). */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      try {
        out.close();
      } finally {
        if (deflater != null) {
          deflater.end();
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("record writer is closed");
    }
  }
}
