package dev.millrace.data;

import dev.millrace.data.internal.Tensors;
import dev.millrace.records.SizeLimits;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Image decoding and encoding with {@code javax.imageio}: JPEG, PNG, GIF and BMP (the formats of
 * TensorFlow's {@code decode_image}; ImageIO's TIFF and WBMP readers are not used, see {@link
 * #DECODED_FORMATS}) to {@code uint8 [height, width, channels]} tensors in HWC order, as
 * TensorFlow's {@code decode_image}; and PNG encoding for writing image files.
 */
public final class Images {
  static {
    // ImageIO otherwise buffers streams through temporary files: slow, and a file per image.
    ImageIO.setUseCache(false);
  }

  private Images() {}

  /**
   * The formats decoded, by ImageIO's reader names: those of TensorFlow's {@code decode_image}.
   * ImageIO's TIFF reader sizes its buffers by the file's tile and strip fields, which the size
   * check does not see (a 332-byte TIFF of 7x5 pixels exhausted a 2 GiB heap; found by fuzzing),
   * and a WBMP "header" is any two zero bytes and two small numbers.
   */
  private static final java.util.Set<String> DECODED_FORMATS =
      java.util.Set.of("jpeg", "png", "gif", "bmp");

  /** The system property that overrides {@link #DEFAULT_MAX_DECODED_BYTES}. */
  public static final String MAX_DECODED_BYTES_PROPERTY = "millrace.image.maxDecodedBytes";

  /**
   * The largest image decoded by default, as width × height × channels: 2^28 (256 MiB of uint8, a
   * 9459 × 9459 RGB image). The header's dimensions are checked before any pixel is allocated, so a
   * few bytes claiming 60000 × 60000 pixels cannot exhaust the heap.
   */
  public static final long DEFAULT_MAX_DECODED_BYTES = 1L << 28;

  /** Decodes an encoded image; see {@link #decode(byte[], int, int, int)}. */
  public static Tensor decode(byte[] encoded, int channels) throws IOException {
    return decode(encoded, 0, encoded.length, channels);
  }

  /**
   * Decodes the JPEG or PNG file {@code file}; see {@link #decode(byte[], int, int, int)}.
   *
   * @throws IOException if the file cannot be read or is not an image that may be decoded; the
   *     message names the file
   */
  public static Tensor decode(Path file, int channels) throws IOException {
    byte[] data = Files.readAllBytes(file);
    try {
      return decode(data, 0, data.length, channels);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes the JPEG, PNG, GIF or BMP in {@code data[offset, offset + length)} to {@code uint8 [h,
   * w, c]}. Images larger than {@link #maxDecodedBytes()} are refused from their header; other
   * formats (TIFF, WBMP) are refused.
   *
   * @param channels 1 for gray (RGB converted with TensorFlow's weights 0.299, 0.587, 0.114), 3 for
   *     RGB (gray replicated, alpha dropped), 0 for the image's own (1 if gray, else 3)
   * @throws IOException if the bytes are not an image ImageIO can read, or one too large; always
   *     with a one-line message, also where ImageIO's decoder failed with an unchecked exception or
   *     an {@code EOFException} without a message (the cause then holds it)
   */
  public static Tensor decode(byte[] data, int offset, int length, int channels)
      throws IOException {
    return decode(data, offset, length, channels, maxDecodedBytes());
  }

  /**
   * {@value #DEFAULT_MAX_DECODED_BYTES}, or the value of the system property {@value
   * #MAX_DECODED_BYTES_PROPERTY}.
   */
  public static long maxDecodedBytes() {
    return SizeLimits.fromProperty(
        MAX_DECODED_BYTES_PROPERTY, DEFAULT_MAX_DECODED_BYTES, "a byte count");
  }

  static Tensor decode(byte[] data, int offset, int length, int channels, long maxBytes)
      throws IOException {
    if (channels != 0 && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 0, 1 or 3, got " + channels);
    }
    BufferedImage img = read(data, offset, length, channels, maxBytes);
    int h = img.getHeight();
    int w = img.getWidth();
    boolean gray = isGray(img.getType());
    int c = channels == 0 ? (gray ? 1 : 3) : channels;
    if ((long) h * w * c > maxBytes) {
      // The header was checked; a decoder that returns more than its header said is bad data too.
      throw new IOException(
          "decoded image " + w + "x" + h + "x" + c + " is larger than its header said");
    }
    Tensor out = Tensor.zeros(DType.UINT8, Shape.of(h, w, c));
    byte[] px = Tensors.byteArrayOrNull(out);
    if (gray) {
      Raster r = img.getRaster();
      int shift = img.getType() == BufferedImage.TYPE_USHORT_GRAY ? 8 : 0;
      for (int y = 0, i = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          byte v = (byte) (r.getSample(x, y, 0) >>> shift);
          for (int k = 0; k < c; k++) {
            px[i++] = v;
          }
        }
      }
      return out;
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int p = 0, i = 0; p < argb.length; p++) {
      int v = argb[p];
      int red = (v >>> 16) & 0xff;
      int green = (v >>> 8) & 0xff;
      int blue = v & 0xff;
      if (c == 3) {
        px[i++] = (byte) red;
        px[i++] = (byte) green;
        px[i++] = (byte) blue;
      } else {
        px[i++] = (byte) Math.round(0.299f * red + 0.587f * green + 0.114f * blue);
      }
    }
    return out;
  }

  /**
   * ImageIO's own {@code ImageIO.read}, with the header's size checked between reading the header
   * and allocating the pixels, and the decoder's failures made one-line IOExceptions.
   */
  private static BufferedImage read(
      byte[] data, int offset, int length, int channels, long maxBytes) throws IOException {
    try {
      return readChecked(data, offset, length, channels, maxBytes);
    } catch (Refusal e) {
      throw new IOException(e.getMessage());
    } catch (IOException | RuntimeException e) {
      // ImageIO's decoders answer some damaged data with an EOFException that has no message
      // (found by fuzzing), and are not written against unchecked exceptions either: both are bad
      // data, said in one line.
      throw new IOException(
          "not a decodable image ("
              + length
              + " bytes, starting "
              + head(data, offset, length)
              + "): "
              + why(e),
          e);
    }
  }

  private static boolean isGray(int bufferedImageType) {
    return bufferedImageType == BufferedImage.TYPE_BYTE_GRAY
        || bufferedImageType == BufferedImage.TYPE_USHORT_GRAY;
  }

  private static String why(Exception e) {
    if (e instanceof java.io.EOFException && e.getMessage() == null) {
      return "the data ends early";
    }
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /**
   * An error worded here (no decoder for the bytes, a size past the limit), passed on as it is
   * rather than wrapped like the decoders' failures.
   */
  private static final class Refusal extends IOException {
    Refusal(String message) {
      super(message);
    }
  }

  private static BufferedImage readChecked(
      byte[] data, int offset, int length, int channels, long maxBytes) throws IOException {
    try (ImageInputStream in =
        ImageIO.createImageInputStream(new ByteArrayInputStream(data, offset, length))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new Refusal(
            "not a decodable image ("
                + length
                + " bytes, starting "
                + head(data, offset, length)
                + ")");
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toLowerCase(Locale.ROOT);
      if (!DECODED_FORMATS.contains(format)) {
        reader.dispose();
        throw new Refusal(
            "a "
                + format.toUpperCase(Locale.ROOT)
                + " image ("
                + length
                + " bytes): only JPEG, PNG, GIF and BMP are decoded");
      }
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        // The image is decoded into ImageIO's default destination type (the first it offers), then
        // converted to the channels asked for: the larger of the two bounds the memory. With
        // channels 0 the output has 1 channel for a gray destination, else 3 (a 1-bit BMP of one
        // band becomes RGB; counting its one band let 3 times the limit through; found by fuzzing).
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        ImageTypeSpecifier dest = types.hasNext() ? types.next() : null;
        int own = dest == null ? 4 : dest.getNumBands();
        int out =
            channels != 0
                ? channels
                : isGray(dest == null ? -1 : dest.getBufferedImageType()) ? 1 : 3;
        int bands = Math.max(own, out);
        long bytes = w * h > Long.MAX_VALUE / bands ? Long.MAX_VALUE : w * h * bands;
        if (bytes > maxBytes) {
          throw new Refusal(
              String.format(
                  "%s image %dx%dx%d is %s bytes decoded, more than the limit of %d (system"
                      + " property %s)",
                  reader.getFormatName().toUpperCase(Locale.ROOT),
                  w,
                  h,
                  bands,
                  Long.toUnsignedString(w * h * bands),
                  maxBytes,
                  MAX_DECODED_BYTES_PROPERTY));
        }
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    }
  }

  /** A PNG of a {@code uint8 [h, w, c]} tensor with 1 or 3 channels (or {@code [h, w]}). */
  public static byte[] encodePng(Tensor image) {
    image.requireType(DType.UINT8);
    Shape s = image.shape();
    if (s.rank() != 2 && s.rank() != 3) {
      throw new IllegalArgumentException("expected an image [h, w, c] or [h, w], got " + s);
    }
    int h = (int) s.dim(0);
    int w = (int) s.dim(1);
    int c = s.rank() == 2 ? 1 : (int) s.dim(2);
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("PNG encoding needs 1 or 3 channels, got shape " + s);
    }
    BufferedImage img =
        new BufferedImage(
            w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    WritableRaster raster = img.getRaster();
    byte[] dst = ((DataBufferByte) raster.getDataBuffer()).getData();
    byte[] src = image.toByteArray();
    if (c == 1) {
      System.arraycopy(src, 0, dst, 0, src.length);
    } else {
      for (int i = 0; i < src.length; i += 3) {
        dst[i] = src[i + 2];
        dst[i + 1] = src[i + 1];
        dst[i + 2] = src[i];
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      if (!ImageIO.write(img, "png", out)) {
        throw new IllegalStateException("no PNG writer in this JDK");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A {@code uint8 [h, w, c]} tensor of a copy of raw HWC pixels. */
  public static Tensor fromPixels(byte[] pixels, int height, int width, int channels) {
    return Tensor.ofBytes(DType.UINT8, Shape.of(height, width, channels), pixels);
  }

  private static String head(byte[] data, int offset, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, length); i++) {
      sb.append(String.format("%02x", data[offset + i] & 0xff));
    }
    return sb.length() == 0 ? "(empty)" : sb.toString();
  }
}
