package dev.millrace.nn;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A small learnable data set converted the way users convert theirs: 28×28 gray images whose class
 * (0–9) decides which of ten horizontal bands is bright, with noise, written as IDX files and
 * converted by {@code millrace convert --from idx}.
 */
final class SyntheticData {
  private SyntheticData() {}

  /** Writes and converts {@code train} + {@code test} images; returns the converted folder. */
  static Path converted(Path tmp, int train, int test, long seed) throws IOException {
    Path idx = tmp.resolve("idx");
    writeIdx(idx, "train", train, seed);
    writeIdx(idx, "t10k", test, seed + 1);
    Path out = tmp.resolve("data");
    Converters.convert(
        SourceFormat.parse("idx"), idx, out, ConvertOptions.defaults(), ProgressListener.none());
    return out;
  }

  private static void writeIdx(Path dir, String split, int count, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    int[] labels = new int[count];
    try (DataOutputStream out = gzip(dir.resolve(split + "-images-idx3-ubyte.gz"))) {
      out.writeInt(0x00000803);
      out.writeInt(count);
      out.writeInt(28);
      out.writeInt(28);
      for (int i = 0; i < count; i++) {
        labels[i] = random.nextInt(10);
        for (int y = 0; y < 28; y++) {
          boolean bright = y / 3 == labels[i] || (labels[i] == 9 && y >= 27);
          for (int x = 0; x < 28; x++) {
            int v = (bright ? 180 : 40) + random.nextInt(60);
            out.writeByte(v);
          }
        }
      }
    }
    try (DataOutputStream out = gzip(dir.resolve(split + "-labels-idx1-ubyte.gz"))) {
      out.writeInt(0x00000801);
      out.writeInt(count);
      for (int label : labels) {
        out.writeByte(label);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
  }
}
