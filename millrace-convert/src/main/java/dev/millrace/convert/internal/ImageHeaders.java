package dev.millrace.convert.internal;

import java.util.zip.CRC32;

/**
 * Reads PNG and JPEG headers from a file's bytes. Decoding would cost far more than the rest of the
 * conversion; the header is all the Example needs, and checking the container structure catches the
 * usual damage (a truncated download, a file that is not an image).
 */
public final class ImageHeaders {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private ImageHeaders() {}

  /** Why a file is not a readable image; the caller adds the file name. */
  public static final class NotAnImage extends Exception {
    private final long offset;

    NotAnImage(long offset, String problem) {
      super(problem, null, false, false);
      this.offset = offset;
    }

    /** Where in the file the problem is, or -1. */
    public long offset() {
      return offset;
    }
  }

  /** Reads the header of a PNG or JPEG file. */
  public static ImageHeader read(byte[] file) throws NotAnImage {
    if (startsWith(file, PNG_SIGNATURE)) {
      return png(file);
    }
    if (file.length >= 3 && (file[0] & 0xff) == 0xff && (file[1] & 0xff) == 0xd8) {
      return jpeg(file);
    }
    throw new NotAnImage(0, "not a PNG or JPEG file (no PNG signature or JPEG SOI marker)");
  }

  /**
   * PNG: the signature, then chunks of {@code length, type, data, CRC}; IHDR first. Walks every
   * chunk to the IEND (lengths only, cheap) so that a truncated file is caught; checks IHDR's CRC.
   */
  private static ImageHeader png(byte[] b) throws NotAnImage {
    int p = PNG_SIGNATURE.length;
    if (b.length < p + 8 + 13 + 4 || !isType(b, p + 4, "IHDR") || u32(b, p) != 13) {
      throw new NotAnImage(p, "PNG without a complete IHDR chunk");
    }
    CRC32 crc = new CRC32();
    crc.update(b, p + 4, 4 + 13);
    if ((int) crc.getValue() != (int) u32(b, p + 8 + 13)) {
      throw new NotAnImage(p, "PNG IHDR chunk CRC mismatch");
    }
    long width = u32(b, p + 8);
    long height = u32(b, p + 12);
    int colorType = b[p + 17] & 0xff;
    int channels =
        switch (colorType) {
          case 0 -> 1; // gray
          case 2, 3 -> 3; // RGB; palette entries are RGB
          case 4 -> 2; // gray + alpha
          case 6 -> 4; // RGBA
          default -> throw new NotAnImage(p + 17, "PNG colour type " + colorType + " is invalid");
        };
    if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new NotAnImage(p + 8, "PNG size " + width + "x" + height + " is invalid");
    }
    long q = p;
    while (true) {
      if (q + 12 > b.length) {
        throw new NotAnImage(q, "PNG truncated: chunk header past the end of the file");
      }
      long length = u32(b, (int) q);
      boolean iend = isType(b, (int) q + 4, "IEND");
      q += 12 + length;
      if (q > b.length) {
        throw new NotAnImage(b.length, "PNG truncated: a chunk runs past the end of the file");
      }
      if (iend) {
        break;
      }
    }
    return new ImageHeader(
        "PNG", (int) height, (int) width, channels, channels <= 2 ? "Gray" : "RGB");
  }

  /**
   * JPEG: markers {@code FF xx}, most followed by a 2-byte length; the frame header (SOF0–SOF15
   * except DHT C4, JPG C8, DAC CC) holds precision, height, width and the component count. It must
   * come before the first scan (SOS).
   */
  private static ImageHeader jpeg(byte[] b) throws NotAnImage {
    int p = 2;
    while (true) {
      if (p >= b.length) {
        throw new NotAnImage(p, "JPEG truncated before its frame header (SOF)");
      }
      if ((b[p] & 0xff) != 0xff) {
        throw new NotAnImage(p, String.format("JPEG marker expected, found 0x%02x", b[p] & 0xff));
      }
      while (p < b.length && (b[p] & 0xff) == 0xff) {
        p++; // fill bytes
      }
      if (p >= b.length) {
        throw new NotAnImage(p, "JPEG truncated before its frame header (SOF)");
      }
      int marker = b[p++] & 0xff;
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        continue; // TEM and RSTn stand alone
      }
      if (marker == 0xd9 || marker == 0xda) {
        throw new NotAnImage(p - 2, "JPEG has no frame header (SOF) before its image data");
      }
      if (p + 2 > b.length) {
        throw new NotAnImage(p, "JPEG truncated in a segment length");
      }
      int length = (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
      if (length < 2 || p + length > b.length) {
        throw new NotAnImage(p, "JPEG truncated: segment of " + length + " bytes");
      }
      boolean sof =
          marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof) {
        if (length < 8) {
          throw new NotAnImage(p, "JPEG frame header of " + length + " bytes is too short");
        }
        int height = (b[p + 3] & 0xff) << 8 | (b[p + 4] & 0xff);
        int width = (b[p + 5] & 0xff) << 8 | (b[p + 6] & 0xff);
        int components = b[p + 7] & 0xff;
        if (width == 0 || height == 0) {
          throw new NotAnImage(p + 3, "JPEG size " + width + "x" + height + " is not supported");
        }
        if (components != 1 && components != 3 && components != 4) {
          throw new NotAnImage(p + 7, "JPEG with " + components + " components");
        }
        if (p + length >= b.length) {
          throw new NotAnImage(b.length, "JPEG truncated after its frame header");
        }
        String space = components == 1 ? "Gray" : components == 3 ? "RGB" : "CMYK";
        return new ImageHeader("JPEG", height, width, components, space);
      }
      p += length;
    }
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isType(byte[] b, int at, String type) {
    for (int i = 0; i < 4; i++) {
      if (b[at + i] != type.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static long u32(byte[] b, int at) {
    return (long) (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }
}
