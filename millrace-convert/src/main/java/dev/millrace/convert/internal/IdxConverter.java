package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MNIST-format IDX files to one split per images file. The input is a folder of {@code
 * <name>-images-idx3-ubyte[.gz]} files, each with a {@code <name>-labels-idx1-ubyte[.gz]} beside it
 * (a {@code .} in place of the {@code -} before {@code idx} is accepted too), or one such images
 * file. The split is named after {@code <name>}: {@code train} for {@code train}, {@code test} for
 * {@code t10k} or {@code test} (as the last {@code -}-separated word, so EMNIST's {@code
 * emnist-digits-train} is {@code train} too), else {@code <name>} itself.
 *
 * <p>A split is held in memory while it is written (47 MB for MNIST's training images); only one
 * split at a time.
 */
public final class IdxConverter {
  private static final Pattern IMAGES =
      Pattern.compile("(.+)-images[-.]idx3-ubyte(\\.gz)?", Pattern.CASE_INSENSITIVE);

  private IdxConverter() {}

  private record Pair(String split, Path images, Path labels) {}

  public static void convert(Path input, Conversion conversion) throws IOException {
    for (Pair pair : pairs(input)) {
      IdxFile images = IdxFile.read(pair.images(), IdxFile.IMAGES_MAGIC);
      IdxFile labels = IdxFile.read(pair.labels(), IdxFile.LABELS_MAGIC);
      if (labels.count() != images.count()) {
        throw BadInputException.atOffset(
            pair.labels(),
            4,
            labels.count()
                + " labels, but "
                + pair.images().getFileName()
                + " has "
                + images.count()
                + " images");
      }
      int height = images.dims()[1];
      int width = images.dims()[2];
      int imageBytes = height * width;
      PixelBatch batch =
          new PixelBatch(
              images.bytes(),
              images.dataOffset(),
              imageBytes,
              imageBytes,
              labels.bytes(),
              labels.dataOffset(),
              1,
              images.count());
      RawPixelSplit split = new RawPixelSplit(pair.split(), height, width, 1, List.of(batch));
      conversion.writeSplit(split.name(), split.rows(), split);
    }
  }

  /** The images/labels pairs of the input, train first, then test, then the others by name. */
  private static List<Pair> pairs(Path input) throws IOException {
    List<Path> imageFiles = new ArrayList<>();
    if (Files.isDirectory(input)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(input)) {
        for (Path p : entries) {
          if (Files.isRegularFile(p) && IMAGES.matcher(p.getFileName().toString()).matches()) {
            imageFiles.add(p);
          }
        }
      }
      if (imageFiles.isEmpty()) {
        throw BadInputException.of(input, "no *-images-idx3-ubyte[.gz] file in this folder");
      }
    } else if (IMAGES.matcher(input.getFileName().toString()).matches()) {
      imageFiles.add(input);
    } else {
      throw BadInputException.of(
          input, "not an IDX images file (expected a name like train-images-idx3-ubyte.gz)");
    }
    Map<String, Pair> bySplit = new HashMap<>();
    for (Path images : imageFiles) {
      Matcher m = IMAGES.matcher(images.getFileName().toString());
      m.matches();
      Pair pair = new Pair(splitName(m.group(1)), images, labelsFor(images, m.group(1)));
      Pair clash = bySplit.put(pair.split(), pair);
      if (clash != null) {
        throw BadInputException.of(
            input,
            "two images files for split '"
                + pair.split()
                + "': "
                + clash.images().getFileName()
                + " and "
                + images.getFileName());
      }
    }
    List<Pair> pairs = new ArrayList<>(bySplit.values());
    pairs.sort(Comparator.comparingInt((Pair p) -> rank(p.split())).thenComparing(Pair::split));
    return pairs;
  }

  private static Path labelsFor(Path images, String name) throws BadInputException {
    Path dir = images.toAbsolutePath().getParent();
    for (String sep : List.of("-", ".")) {
      for (String gz : List.of(".gz", "")) {
        Path candidate = dir.resolve(name + "-labels" + sep + "idx1-ubyte" + gz);
        if (Files.isRegularFile(candidate)) {
          return images.resolveSibling(candidate.getFileName());
        }
      }
    }
    throw BadInputException.of(
        images, "no labels file beside it (expected " + name + "-labels-idx1-ubyte[.gz])");
  }

  static String splitName(String name) {
    String last = name.substring(name.lastIndexOf('-') + 1).toLowerCase(Locale.ROOT);
    return switch (last) {
      case "train" -> "train";
      case "t10k", "test" -> "test";
      default -> name;
    };
  }

  private static int rank(String split) {
    return switch (split) {
      case "train" -> 0;
      case "test" -> 1;
      default -> 2;
    };
  }
}
