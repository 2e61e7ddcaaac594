package dev.millrace.profile;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Data sets for the doctor's tests, converted the way users convert theirs. */
final class DoctorData {
  private DoctorData() {}

  /** Raw 28×28 gray shards (IDX converted): cheap to decode, fast input. */
  static Path rawShards(Path tmp, int train) throws IOException {
    Path idx = tmp.resolve("idx");
    Files.createDirectories(idx);
    writeIdx(idx.resolve("train"), train);
    writeIdx(idx.resolve("t10k"), 100);
    Path out = tmp.resolve("raw");
    Converters.convert(
        SourceFormat.parse("idx"), idx, out, ConvertOptions.defaults(), ProgressListener.none());
    return out;
  }

  /**
   * A folder of {@code 96×96} RGB PNG files in 10 class folders, converted as an image folder:
   * every image must be decoded each epoch, which costs far more than a linear model's step.
   */
  static Path pngShards(Path tmp, int images) throws IOException {
    Path folder = tmp.resolve("png");
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < images; i++) {
      Path dir = folder.resolve("class" + (i % 10));
      Files.createDirectories(dir);
      BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 96; y++) {
        for (int x = 0; x < 96; x++) {
          img.setRGB(x, y, random.nextInt(1 << 24));
        }
      }
      ImageIO.write(img, "png", dir.resolve(String.format("img%05d.png", i)).toFile());
    }
    Path out = tmp.resolve("png-shards");
    Converters.convert(
        SourceFormat.parse("images"),
        folder,
        out,
        ConvertOptions.defaults(),
        ProgressListener.none());
    return out;
  }

  private static void writeIdx(Path prefix, int count) throws IOException {
    SplittableRandom random = new SplittableRandom(count);
    try (DataOutputStream out = gzip(Path.of(prefix + "-images-idx3-ubyte.gz"))) {
      out.writeInt(0x00000803);
      out.writeInt(count);
      out.writeInt(28);
      out.writeInt(28);
      for (int i = 0; i < count * 28 * 28; i++) {
        out.writeByte(random.nextInt(256));
      }
    }
    try (DataOutputStream out = gzip(Path.of(prefix + "-labels-idx1-ubyte.gz"))) {
      out.writeInt(0x00000801);
      out.writeInt(count);
      for (int i = 0; i < count; i++) {
        out.writeByte(i % 10);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
  }
}
