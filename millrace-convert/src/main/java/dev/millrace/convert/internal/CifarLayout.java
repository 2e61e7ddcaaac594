package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How CIFAR-10's batches become splits, as TensorFlow's performance guide ({@code
 * generate_cifar10_tfrecords.py}) makes them: {@code train} = {@code data_batch_1..4}, {@code
 * validation} = {@code data_batch_5}, {@code eval} = {@code test_batch}. Images are 32×32×3, planar
 * (1024 red, 1024 green, 1024 blue bytes), labels 0..9.
 */
final class CifarLayout {
  static final int SIDE = 32;
  static final int CHANNELS = 3;
  static final int IMAGE_BYTES = SIDE * SIDE * CHANNELS;
  static final int CLASSES = 10;

  /** A pickle of 10,000 images is 30 MB; anything near this limit is not CIFAR-10. */
  static final long MAX_ENTRY_BYTES = 256L * 1024 * 1024;

  private CifarLayout() {}

  record Split(String name, List<String> batches) {}

  /** The splits, each with its batch names (entry base names) plus {@code suffix}. */
  static List<Split> splits(String suffix) {
    List<String> train = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      train.add("data_batch_" + i + suffix);
    }
    return List.of(
        new Split("train", train),
        new Split("validation", List.of("data_batch_5" + suffix)),
        new Split("eval", List.of("test_batch" + suffix)));
  }

  static boolean isBatch(String baseName, String suffix) {
    return splits(suffix).stream().anyMatch(s -> s.batches().contains(baseName));
  }

  /** Writes the three splits from the batches read, by entry base name. */
  static void writeSplits(
      Path archive, String suffix, Map<String, PixelBatch> batches, Conversion conversion)
      throws IOException {
    List<Split> splits = splits(suffix);
    for (Split s : splits) {
      for (String b : s.batches()) {
        if (!batches.containsKey(b)) {
          throw BadInputException.of(archive, "no entry named " + b + " in the archive");
        }
      }
    }
    for (Split s : splits) {
      List<PixelBatch> parts = s.batches().stream().map(batches::get).toList();
      RawPixelSplit split = new RawPixelSplit(s.name(), SIDE, SIDE, CHANNELS, parts);
      conversion.writeSplit(split.name(), split.rows(), split);
    }
  }
}
