package dev.millrace.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.millrace.convert.BadInputException;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SampleData;
import dev.millrace.convert.SourceFormat;
import dev.millrace.convert.spi.ConversionEngine;
import dev.millrace.records.Compression;
import dev.millrace.records.Manifest;
import dev.millrace.records.SplitManifest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert --engine spark} writes exactly what the single-machine converter writes from the
 * same input: the same shard files, byte for byte, and the same {@code manifest.json}; bad input
 * fails with the converter's one-line error and leaves nothing behind.
 */
@Tag("slow")
class SparkConvertTest {
  private static final Path FASHION_IDX = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    // The engine uses the running session (local[2]) and leaves it running.
    LocalSpark.session();
  }

  private static ConversionEngine spark() {
    return ConversionEngine.named("spark").orElseThrow();
  }

  /** Converts with both engines and checks that the two folders hold the same bytes. */
  private Manifest convertBothWays(SourceFormat format, Path input, ConvertOptions options)
      throws IOException {
    Path single = tmp.resolve("single");
    Path distributed = tmp.resolve("spark");
    Converters.convert(format, input, single, options, ProgressListener.none());
    Manifest manifest =
        spark()
            .convert(format, input, distributed, options, Map.of(), ProgressListener.none())
            .manifest();

    assertThat(files(distributed)).isEqualTo(files(single));
    for (String name : files(single)) {
      assertThat(Files.readAllBytes(distributed.resolve(name)))
          .as("%s from spark and from the single-machine converter", name)
          .isEqualTo(Files.readAllBytes(single.resolve(name)));
    }
    return manifest;
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void idxShardsAndManifestAreTheSingleMachineConvertersByteForByte() throws IOException {
    Path input = tmp.resolve("idx");
    idxPair(input, "train", 1500, 28, 28, 1);
    idxPair(input, "t10k", 301, 28, 28, 2);

    // 64 KiB shards: about 77 records each, so shard boundaries fall inside encoding chunks.
    Manifest m =
        convertBothWays(SourceFormat.IDX, input, ConvertOptions.defaults().withShardBytes(65_536));

    SplitManifest train = m.split("train").orElseThrow();
    assertThat(train.records()).isEqualTo(1500);
    assertThat(train.shards()).hasSize(21);
    assertThat(train.shards().get(0).file()).isEqualTo("train-00000-of-00021.tfrecord");
    assertThat(m.split("test").orElseThrow().records()).isEqualTo(301);
  }

  @Test
  void shuffledAndCompressedOutputIsTheSameToo() throws IOException {
    Path input = tmp.resolve("idx");
    idxPair(input, "train", 700, 12, 9, 3);

    convertBothWays(
        SourceFormat.IDX,
        input,
        ConvertOptions.defaults()
            .withShardBytes(20_000)
            .withCompression(Compression.GZIP)
            .withShuffle(42));
  }

  @Test
  void imageFoldersAreConvertedTheSame() throws IOException {
    Path input = tmp.resolve("images");
    Random random = new Random(5);
    for (String label : List.of("cat", "dog", "owl")) {
      for (int i = 0; i < 12; i++) {
        Path f = input.resolve(label).resolve(String.format("%s-%02d.png", label, i));
        Files.createDirectories(f.getParent());
        Files.write(f, png(8 + random.nextInt(20), 8 + random.nextInt(20), random.nextLong()));
      }
    }

    Manifest m =
        convertBothWays(SourceFormat.IMAGES, input, ConvertOptions.defaults().withShardBytes(4096));

    assertThat(m.split("train").orElseThrow().records()).isEqualTo(36);
    assertThat(m.split("train").orElseThrow().shards()).hasSizeGreaterThan(3);
  }

  @Test
  void cifar10IsConvertedTheSame() throws IOException {
    Path archive =
        SampleData.writeCifar10PythonSample(tmp.resolve("cifar-10-python.tar.gz"), 120, 3);

    Manifest m =
        convertBothWays(
            SourceFormat.CIFAR10, archive, ConvertOptions.defaults().withShardBytes(100_000));

    assertThat(m.splits().stream().map(SplitManifest::name))
        .containsExactly("train", "validation", "eval");
    assertThat(m.split("train").orElseThrow().records()).isEqualTo(480);
  }

  @Test
  void fashionMnistIsConvertedTheSame() throws IOException {
    assumeTrue(
        Files.isDirectory(FASHION_IDX), "Fashion-MNIST (dataset-fashion-mnist) not installed");

    Manifest m =
        convertBothWays(
            SourceFormat.IDX, FASHION_IDX, ConvertOptions.defaults().withShardBytes(4 << 20));

    assertThat(m.totalRecords()).isEqualTo(70_000);
  }

  @Test
  void aBadImageFailsWithTheConvertersErrorAndLeavesNoOutput() throws IOException {
    Path input = tmp.resolve("images");
    Files.createDirectories(input.resolve("cat"));
    for (int i = 0; i < 10; i++) {
      Files.write(input.resolve("cat").resolve("ok-" + i + ".png"), png(8, 8, i));
    }
    Path bad = input.resolve("cat").resolve("ok-5.png");
    Files.write(bad, "not an image at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path out = tmp.resolve("out");

    assertThatThrownBy(
            () ->
                spark()
                    .convert(
                        SourceFormat.IMAGES,
                        input,
                        out,
                        ConvertOptions.defaults(),
                        Map.of(),
                        ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(bad.toAbsolutePath() + "@0: ");
    assertThat(out).doesNotExist();
  }

  @Test
  void aFailedConversionKeepsTheEarlierOutput() throws IOException {
    Path input = tmp.resolve("images");
    Files.createDirectories(input.resolve("cat"));
    Files.write(input.resolve("cat").resolve("a.png"), png(8, 8, 1));
    Path out = tmp.resolve("out");
    spark()
        .convert(
            SourceFormat.IMAGES,
            input,
            out,
            ConvertOptions.defaults(),
            Map.of(),
            ProgressListener.none());
    List<String> before = files(out);
    byte[] manifest = Files.readAllBytes(out.resolve(Manifest.FILE_NAME));
    Files.write(input.resolve("cat").resolve("b.png"), new byte[] {1, 2, 3});

    assertThatThrownBy(
            () ->
                spark()
                    .convert(
                        SourceFormat.IMAGES,
                        input,
                        out,
                        ConvertOptions.defaults(),
                        Map.of(),
                        ProgressListener.none()))
        .isInstanceOf(BadInputException.class);

    assertThat(files(out)).isEqualTo(before);
    assertThat(Files.readAllBytes(out.resolve(Manifest.FILE_NAME))).isEqualTo(manifest);
  }

  @Test
  void anUnknownSettingIsRefused() {
    assertThatThrownBy(
            () ->
                spark()
                    .convert(
                        SourceFormat.IMAGES,
                        tmp,
                        tmp.resolve("out"),
                        ConvertOptions.defaults(),
                        Map.of("executors", "3"),
                        ProgressListener.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("engine spark: unknown setting 'executors' (expected: master)");
  }

  // ---- inputs ----

  private static void idxPair(Path dir, String name, int count, int rows, int cols, long seed)
      throws IOException {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * rows * cols];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) random.nextInt(10);
    }
    gzip(
        dir.resolve(name + "-images-idx3-ubyte.gz"),
        idx(0x803, new int[] {count, rows, cols}, pixels));
    gzip(dir.resolve(name + "-labels-idx1-ubyte.gz"), idx(0x801, new int[] {count}, labels));
  }

  private static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  private static void gzip(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes);
    }
  }

  private static byte[] png(int width, int height, long seed) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
