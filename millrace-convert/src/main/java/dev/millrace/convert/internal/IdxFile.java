package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One IDX file (MNIST's format) of uint8 data, read whole into memory: big-endian magic {@code
 * 0x000008nn} (type 8 = uint8, {@code nn} dimensions), one uint32 per dimension, then the data,
 * row-major. A {@code .gz} name means a gzip stream; offsets in messages then count uncompressed
 * bytes. Package-private and shared on purpose: the arrays are the data set, too large to copy.
 *
 * @param file where it was read from
 * @param dims the dimensions, outermost (the item count) first
 * @param bytes the whole uncompressed file, header included (kept so the data need not be copied)
 * @param dataOffset where the data starts in {@code bytes}
 */
record IdxFile(Path file, int[] dims, byte[] bytes, int dataOffset) {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  /** Java arrays stop just short of 2 GiB; the whole file must fit one. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  int count() {
    return dims[0];
  }

  /**
   * Reads and checks an IDX file: the magic, the dimensions, and that the size is exactly the
   * header plus the product of the dimensions.
   */
  static IdxFile read(Path file, int expectedMagic) throws IOException {
    boolean gzip = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return read(file, in, expectedMagic);
    } catch (ZipException | EOFException e) {
      // Only the gzip layer throws these here: a damaged or truncated .gz file.
      throw BadInputException.of(file, "not a valid gzip stream: " + e.getMessage(), e);
    }
  }

  private static IdxFile read(Path file, InputStream in, int expectedMagic) throws IOException {
    int rank = expectedMagic & 0xff;
    int headerBytes = 4 + 4 * rank;
    byte[] header = in.readNBytes(headerBytes);
    if (header.length < 4) {
      throw BadInputException.atOffset(
          file, header.length, "truncated header: file ends after " + header.length + " bytes");
    }
    int magic = intAt(header, 0);
    if (magic != expectedMagic) {
      throw BadInputException.atOffset(
          file,
          0,
          String.format(
              "magic 0x%08x, expected 0x%08x (uint8, %d dimension%s)",
              magic, expectedMagic, rank, rank == 1 ? "" : "s"));
    }
    if (header.length < headerBytes) {
      throw BadInputException.atOffset(
          file,
          header.length,
          "truncated header: file ends after " + header.length + " of " + headerBytes + " bytes");
    }
    int[] dims = new int[rank];
    long payload = 1;
    StringBuilder product = new StringBuilder();
    for (int d = 0; d < rank; d++) {
      long dim = Integer.toUnsignedLong(intAt(header, 4 + 4 * d));
      if (d > 0 && dim == 0) {
        throw BadInputException.atOffset(file, 4 + 4 * d, "dimension " + d + " is 0");
      }
      payload *= dim;
      if (payload + headerBytes > MAX_BYTES || dim > Integer.MAX_VALUE) {
        throw BadInputException.atOffset(
            file, 4 + 4 * d, "dimensions too large: " + product + dim + " bytes of data");
      }
      dims[d] = (int) dim;
      product.append(dim).append(d + 1 < rank ? "x" : "");
    }
    byte[] bytes = new byte[(int) (headerBytes + payload)];
    System.arraycopy(header, 0, bytes, 0, headerBytes);
    int got = in.readNBytes(bytes, headerBytes, (int) payload);
    long extra = got < payload ? 0 : in.transferTo(OutputStream.nullOutputStream());
    if (got < payload || extra > 0) {
      throw BadInputException.of(
          file,
          String.format(
              "size %d bytes, expected %d (header %d + %s data bytes)",
              headerBytes + got + extra, headerBytes + payload, headerBytes, product));
    }
    return new IdxFile(file, dims, bytes, headerBytes);
  }

  private static int intAt(byte[] b, int i) {
    return (b[i] & 0xff) << 24
        | (b[i + 1] & 0xff) << 16
        | (b[i + 2] & 0xff) << 8
        | (b[i + 3] & 0xff);
  }
}
