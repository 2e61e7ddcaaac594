package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import dev.millrace.records.SizeLimits;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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

  /** The system property that overrides {@link #DEFAULT_MAX_BYTES}. */
  static final String MAX_BYTES_PROPERTY = "millrace.idx.maxBytes";

  /**
   * The largest (uncompressed) file read accepts by default: 1 GiB, twenty times MNIST's training
   * images. Java arrays stop just short of 2 GiB, so no setting goes past that.
   */
  static final long DEFAULT_MAX_BYTES = 1L << 30;

  private static final long ARRAY_LIMIT = Integer.MAX_VALUE - 8;

  /** A gzip stream's size is known only at its end: the buffer grows as the data arrives. */
  private static final int FIRST_CHUNK = 1 << 20;

  int count() {
    return dims[0];
  }

  /**
   * Reads and checks an IDX file: the magic, the dimensions, and that the size is exactly the
   * header plus the product of the dimensions. The size the dimensions claim is checked against the
   * file's size (for a gzip file, against the bytes that really arrive) and against the limit
   * {@link #maxBytes()} before the data is allocated.
   */
  static IdxFile read(Path file, int expectedMagic) throws IOException {
    return read(file, expectedMagic, maxBytes());
  }

  static IdxFile read(Path file, int expectedMagic, long maxBytes) throws IOException {
    boolean gzip = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    long size = gzip ? -1 : Files.size(file);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return read(new Source(file, in, size, Math.min(maxBytes, ARRAY_LIMIT)), expectedMagic);
    } catch (ZipException | EOFException e) {
      // Only the gzip layer throws these here: a damaged or truncated .gz file.
      throw BadInputException.of(file, "not a valid gzip stream: " + e.getMessage(), e);
    }
  }

  /**
   * {@value #DEFAULT_MAX_BYTES} bytes, or the value of the system property {@value
   * #MAX_BYTES_PROPERTY}.
   */
  static long maxBytes() {
    return SizeLimits.fromProperty(MAX_BYTES_PROPERTY, DEFAULT_MAX_BYTES, "a byte count");
  }

  /** The stream to read, its size when known (else -1), and the most it may hold. */
  private record Source(Path file, InputStream in, long size, long maxBytes) {}

  private static IdxFile read(Source src, int expectedMagic) throws IOException {
    Path file = src.file();
    int rank = expectedMagic & 0xff;
    int headerBytes = 4 + 4 * rank;
    byte[] header = src.in().readNBytes(headerBytes);
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
    String product = dimensions(src, header, dims);
    long total = headerBytes + (long) product(dims);
    if (src.size() >= 0 && src.size() != total) {
      throw sizeMismatch(file, src.size(), total, headerBytes, product);
    }
    // A size checked against the file can be allocated at once; a gzip stream's cannot.
    byte[] bytes = readData(src.in(), header, total, src.size() >= 0 ? total : FIRST_CHUNK);
    if (bytes.length < total) {
      throw sizeMismatch(file, bytes.length, total, headerBytes, product);
    }
    // One byte more is proof enough: a gzip stream may inflate to terabytes of trailing data, and
    // reading it to the end only to report its size would take as long as inflating all of it.
    if (src.in().read() >= 0) {
      throw BadInputException.atOffset(
          file,
          total,
          String.format(
              "more data after the %d bytes the header declares (header %d + %s data bytes)",
              total, headerBytes, product));
    }
    return new IdxFile(file, dims, bytes, headerBytes);
  }

  /**
   * Fills {@code dims} from the header, checking each against the limit as it comes (the product in
   * a long cannot overflow: it stays under 2^31 and each dimension under 2^32); returns them as
   * {@code AxBxC}.
   */
  private static String dimensions(Source src, byte[] header, int[] dims) throws IOException {
    long total = header.length;
    long payload = 1;
    StringBuilder product = new StringBuilder();
    for (int d = 0; d < dims.length; d++) {
      int at = 4 + 4 * d;
      long dim = Integer.toUnsignedLong(intAt(header, at));
      if (d > 0 && dim == 0) {
        throw BadInputException.atOffset(src.file(), at, "dimension " + d + " is 0");
      }
      product.append(d > 0 ? "x" : "").append(dim);
      payload = Math.multiplyExact(payload, dim);
      if (dim > Integer.MAX_VALUE) {
        throw BadInputException.atOffset(
            src.file(), at, "dimension " + d + " is " + dim + ", more than an array holds");
      }
      if (header.length + payload > src.maxBytes()) {
        throw BadInputException.atOffset(
            src.file(),
            at,
            String.format(
                "dimensions %s%s need more than %d bytes, the limit (system property %s)",
                product, d + 1 < dims.length ? "x..." : "", src.maxBytes(), MAX_BYTES_PROPERTY));
      }
      dims[d] = (int) dim;
    }
    return product.toString();
  }

  private static long product(int[] dims) {
    long n = 1;
    for (int d : dims) {
      n *= d; // checked in dimensions()
    }
    return n;
  }

  /**
   * The header followed by as much of the data as the stream holds, up to {@code total} bytes in
   * all. The buffer starts at {@code firstChunk} and doubles, so a header that lies costs at most
   * twice the bytes that really follow it; an honest file ends in an array of exactly {@code total}
   * bytes.
   */
  private static byte[] readData(InputStream in, byte[] header, long total, long firstChunk)
      throws IOException {
    byte[] bytes = new byte[(int) Math.min(total, Math.max(firstChunk, header.length))];
    System.arraycopy(header, 0, bytes, 0, header.length);
    int filled = header.length;
    while (true) {
      int got = in.readNBytes(bytes, filled, bytes.length - filled);
      filled += got;
      if (filled < bytes.length) {
        return java.util.Arrays.copyOf(bytes, filled); // the stream ended early
      }
      if (filled == total) {
        return bytes;
      }
      bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(total, 2L * bytes.length));
    }
  }

  private static BadInputException sizeMismatch(
      Path file, long actual, long expected, int headerBytes, String product) {
    return BadInputException.of(
        file,
        String.format(
            "size %d bytes, expected %d (header %d + %s data bytes)",
            actual, expected, headerBytes, product));
  }

  private static int intAt(byte[] b, int i) {
    return (b[i] & 0xff) << 24
        | (b[i + 1] & 0xff) << 16
        | (b[i + 2] & 0xff) << 8
        | (b[i + 3] & 0xff);
  }
}
