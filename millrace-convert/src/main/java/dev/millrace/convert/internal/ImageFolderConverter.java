package dev.millrace.convert.internal;

import com.google.protobuf.ByteString;
import dev.millrace.convert.BadInputException;
import dev.millrace.convert.spi.RecordEncoder;
import dev.millrace.records.Examples;
import dev.millrace.records.SizeLimits;
import dev.millrace.records.proto.Features;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A folder of class folders of JPEG/PNG files to one split, {@code train}, encoded as TensorFlow's
 * {@code build_image_data.py} encodes images: class folders sorted by name, the label of the {@code
 * i}-th being {@code i + 1} because that script keeps label 0 for a background class.
 *
 * <p>Features: {@code image/encoded} (the file's bytes, unchanged), {@code image/format} ({@code
 * JPEG} or {@code PNG}), {@code image/class/label}, {@code image/class/text} (the folder name),
 * {@code image/height}, {@code image/width}, {@code image/channels}, {@code image/colorspace}, and
 * {@code image/filename} (the file's name without its folder). Unlike the script, which re-encodes
 * PNGs as JPEG and forces three channels, the file is kept as it is and its header tells format,
 * size and channels.
 *
 * <p>Within a class folder, files are taken in name order; hidden files (a leading {@code .}) and
 * sub-folders are skipped, as are plain files beside the class folders (a README). Files are read
 * by the encoding workers, one at a time each: memory holds only the files in flight.
 */
public final class ImageFolderConverter {
  static final String SPLIT = "train";

  /** Larger than any photograph; keeps one odd file from exhausting memory. */
  private static final long MAX_IMAGE_BYTES = 256L * 1024 * 1024;

  /**
   * The system property that overrides {@link #DEFAULT_MAX_DECODED_BYTES}: the same one, with the
   * same default, as the cap of the decoder that reads these records back ({@code
   * dev.millrace.data.Images}), so that a data set that converts can also be trained on.
   */
  static final String MAX_DECODED_BYTES_PROPERTY = "millrace.image.maxDecodedBytes";

  /**
   * 256 MiB decoded: a 9000×9000 RGB photograph fits; a header of a few bytes that claims 60000 ×
   * 60000 pixels does not.
   */
  static final long DEFAULT_MAX_DECODED_BYTES = 1L << 28;

  private ImageFolderConverter() {}

  /**
   * One image: its file (as a path string, which serializes, unlike a {@code Path}), label and
   * class folder's name.
   */
  private record Item(String file, int label, String className) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  /** The split's encoder: the file list, each file read when its record is encoded. */
  private record Images(List<Item> items) implements RecordEncoder {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public byte[] encode(int index) throws IOException {
      return ImageFolderConverter.encode(items.get(index));
    }
  }

  public static void convert(Path input, Conversion conversion) throws IOException {
    if (!Files.isDirectory(input)) {
      throw BadInputException.of(input, "not a folder (expected one sub-folder per class)");
    }
    List<Path> classes = list(input, true);
    if (classes.isEmpty()) {
      throw BadInputException.of(input, "no class folders (expected one sub-folder per class)");
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < classes.size(); i++) {
      Path dir = classes.get(i);
      for (Path file : list(dir, false)) {
        items.add(new Item(file.toString(), i + 1, dir.getFileName().toString()));
      }
    }
    if (items.isEmpty()) {
      throw BadInputException.of(
          input, "no image files in its " + classes.size() + " class folders");
    }
    conversion.writeSplit(SPLIT, items.size(), new Images(List.copyOf(items)));
  }

  private static byte[] encode(Item item) throws IOException {
    Path file = Path.of(item.file());
    long size = Files.size(file);
    if (size > MAX_IMAGE_BYTES) {
      throw BadInputException.of(
          file, size + " bytes, more than the image limit " + MAX_IMAGE_BYTES);
    }
    byte[] bytes = Files.readAllBytes(file);
    ImageHeader h;
    try {
      h = ImageHeaders.read(bytes);
    } catch (ImageHeaders.NotAnImage e) {
      throw BadInputException.atOffset(file, e.offset(), e.getMessage());
    }
    long decoded = (long) h.height() * h.width() * h.channels();
    long maxDecoded = maxDecodedBytes();
    if (decoded > maxDecoded) {
      throw BadInputException.of(
          file,
          String.format(
              "%s image %dx%dx%d is %d bytes decoded, more than the limit of %d (system property"
                  + " %s)",
              h.format(),
              h.width(),
              h.height(),
              h.channels(),
              decoded,
              maxDecoded,
              MAX_DECODED_BYTES_PROPERTY));
    }
    Features.Builder f =
        Features.newBuilder()
            .putFeature("image/encoded", Examples.bytes(ByteString.copyFrom(bytes)))
            .putFeature("image/format", Examples.bytes(h.format()))
            .putFeature("image/class/label", Examples.int64(item.label()))
            .putFeature("image/class/text", Examples.bytes(item.className()))
            .putFeature("image/height", Examples.int64(h.height()))
            .putFeature("image/width", Examples.int64(h.width()))
            .putFeature("image/channels", Examples.int64(h.channels()))
            .putFeature("image/colorspace", Examples.bytes(h.colorspace()))
            .putFeature("image/filename", Examples.bytes(file.getFileName().toString()));
    return Examples.serialize(Examples.of(f));
  }

  /**
   * {@value #DEFAULT_MAX_DECODED_BYTES} bytes, or the value of the system property {@value
   * #MAX_DECODED_BYTES_PROPERTY}.
   */
  static long maxDecodedBytes() {
    return SizeLimits.fromProperty(
        MAX_DECODED_BYTES_PROPERTY, DEFAULT_MAX_DECODED_BYTES, "a byte count");
  }

  /** Non-hidden sub-folders ({@code folders}) or regular files of {@code dir}, sorted by name. */
  private static List<Path> list(Path dir, boolean folders) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (p.getFileName().toString().startsWith(".")) {
          continue;
        }
        if (folders ? Files.isDirectory(p) : Files.isRegularFile(p)) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return out;
  }
}
