package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.bench.tensorflow.TfImageExamples.Decoded;
import dev.millrace.bench.tensorflow.TfImageExamples.Pixels;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SampleData;
import dev.millrace.convert.SourceFormat;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordReader;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TensorFlow reads what the CIFAR-10 and image-folder converters write: its own TFRecord reader,
 * Example parser and image decoders see, record by record, the labels and pixels that were put in.
 */
@Tag("tensorflow")
class TensorFlowReadsConvertedDataTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Compression.class)
  void tensorFlowReadsTheCifarConvertersShards(Compression compression) throws IOException {
    Path archive = SampleData.writeCifar10PythonSample(tmp.resolve("cifar.tar.gz"), 40, 7);
    Path out = tmp.resolve("out");
    Converters.convert(
        SourceFormat.CIFAR10,
        archive,
        out,
        ConvertOptions.defaults().withCompression(compression).withShardBytes(64 << 10),
        ProgressListener.none());

    // The layout of TensorFlow's CIFAR-10 model: batches 1-4 train, 5 validates, test_batch evals.
    for (String split : List.of("train", "validation", "eval")) {
      List<Path> shards = shards(out, split);
      assertThat(shards).as("%s shards", split).isNotEmpty();
      List<Decoded> expected = new ArrayList<>();
      for (Example e : examples(shards)) {
        ByteString image = feature(e, "image").getBytesList().getValue(0);
        expected.add(
            new Decoded(
                feature(e, "label").getInt64List().getValue(0),
                List.of((long) image.size()),
                unsignedSum(image.toByteArray())));
      }
      assertThat(expected).hasSize(split.equals("train") ? 160 : 40);
      assertThat(expected).allMatch(d -> d.shape().equals(List.of(3072L)));

      List<Decoded> seen = TfImageExamples.read(shards, compression, "image", "label", Pixels.RAW);

      assertThat(seen).as("%s, as TensorFlow decoded it", split).isEqualTo(expected);
    }
  }

  @Test
  void tensorFlowDecodesTheImageFolderConvertersPngAndJpegExamples() throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("cat"));
    Files.createDirectories(in.resolve("dog"));
    BufferedImage catRgb = randomImage(7, 5, BufferedImage.TYPE_INT_RGB, 1);
    BufferedImage dogGray = randomImage(3, 6, BufferedImage.TYPE_BYTE_GRAY, 2);
    BufferedImage dogJpeg = randomImage(16, 8, BufferedImage.TYPE_INT_RGB, 3);
    ImageIO.write(catRgb, "png", in.resolve("cat/a.png").toFile());
    ImageIO.write(dogGray, "png", in.resolve("dog/b.png").toFile());
    ImageIO.write(dogJpeg, "jpeg", in.resolve("dog/c.jpg").toFile());
    Path out = tmp.resolve("out");
    Converters.convert(
        SourceFormat.IMAGES, in, out, ConvertOptions.defaults(), ProgressListener.none());

    List<Decoded> seen =
        TfImageExamples.read(
            shards(out, "train"),
            Compression.NONE,
            "image/encoded",
            "image/class/label",
            Pixels.ENCODED);

    assertThat(seen).hasSize(3);
    // PNG is lossless: TensorFlow's pixels are exactly the ones written.
    assertThat(seen.get(0)).isEqualTo(new Decoded(1, List.of(5L, 7L, 3L), pixelSum(catRgb)));
    assertThat(seen.get(1)).isEqualTo(new Decoded(2, List.of(6L, 3L, 1L), pixelSum(dogGray)));
    // JPEG decoders may round differently: the shape is exact, the pixels close.
    Decoded jpeg = seen.get(2);
    assertThat(jpeg.label()).isEqualTo(2);
    assertThat(jpeg.shape()).containsExactly(8L, 16L, 3L);
    BufferedImage javaDecoded = ImageIO.read(in.resolve("dog/c.jpg").toFile());
    double meanDifference =
        Math.abs(jpeg.pixelSum() - pixelSum(javaDecoded)) / (double) (8 * 16 * 3);
    assertThat(meanDifference).isLessThan(2.0);
  }

  private static List<Path> shards(Path dir, String split) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(split + "-"))
          .filter(p -> p.getFileName().toString().contains(".tfrecord"))
          .sorted()
          .toList();
    }
  }

  /** The Examples as protobuf-java parses them, read with Millrace's record reader. */
  private static List<Example> examples(List<Path> shards) throws IOException {
    List<Example> out = new ArrayList<>();
    for (Path shard : shards) {
      try (RecordReader r = RecordReader.open(shard)) {
        while (r.next()) {
          out.add(Example.parseFrom(r.copyRecord()));
        }
      }
    }
    return out;
  }

  private static Feature feature(Example e, String name) {
    return e.getFeatures().getFeatureOrThrow(name);
  }

  private static long unsignedSum(byte[] bytes) {
    long sum = 0;
    for (byte b : bytes) {
      sum += b & 0xff;
    }
    return sum;
  }

  /** The sum of every sample of every band, as a decoder hands them out. */
  private static long pixelSum(BufferedImage img) {
    Raster raster = img.getRaster();
    int[] samples = raster.getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
    long sum = 0;
    for (int s : samples) {
      sum += s;
    }
    return sum;
  }

  private static BufferedImage randomImage(int width, int height, int type, long seed) {
    BufferedImage img = new BufferedImage(width, height, type);
    Random r = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, r.nextInt() | 0xff000000);
      }
    }
    return img;
  }
}
