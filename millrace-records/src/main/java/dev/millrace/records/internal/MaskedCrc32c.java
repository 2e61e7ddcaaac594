package dev.millrace.records.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * TFRecord's masked CRC-32C. TensorFlow masks stored CRCs (rotate right by 15, add a constant)
 * because computing the CRC of a string that itself contains CRCs is weak.
 */
public final class MaskedCrc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  public static int unmask(int masked) {
    int rot = masked - MASK_DELTA;
    return (rot >>> 17) | (rot << 15);
  }

  /** Masked CRC-32C of {@code data[offset, offset + length)}; reuses {@code crc} (reset first). */
  public static int of(CRC32C crc, byte[] data, int offset, int length) {
    crc.reset();
    crc.update(data, offset, length);
    return mask((int) crc.getValue());
  }

  /** Masked CRC-32C of the remaining bytes of {@code data}, leaving its position unchanged. */
  public static int of(CRC32C crc, ByteBuffer data) {
    crc.reset();
    crc.update(data.duplicate());
    return mask((int) crc.getValue());
  }
}
