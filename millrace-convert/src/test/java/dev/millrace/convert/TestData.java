package dev.millrace.convert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.records.Manifest;
import dev.millrace.records.RecordReader;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builders of small inputs, and readers of what a conversion wrote. */
public final class TestData {
  private TestData() {}

  // ---- IDX ----

  /** Big-endian IDX bytes: magic, dims, data. */
  public static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  public static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Labels 0..9 as bytes. */
  public static byte[] randomLabels(int n, long seed) {
    byte[] b = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(10);
    }
    return b;
  }

  /** Writes {@code bytes}, gzip-compressed when the name ends in {@code .gz}. */
  public static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (file.toString().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(bytes);
      }
    } else {
      Files.write(file, bytes);
    }
    return file;
  }

  /** An MNIST-like pair: {@code <name>-images-idx3-ubyte<suffix>} and its labels. */
  public static void idxPair(
      Path dir, String name, String suffix, int count, int rows, int cols, long seed)
      throws IOException {
    write(
        dir.resolve(name + "-images-idx3-ubyte" + suffix),
        idx(0x803, new int[] {count, rows, cols}, randomBytes(count * rows * cols, seed)));
    write(
        dir.resolve(name + "-labels-idx1-ubyte" + suffix),
        idx(0x801, new int[] {count}, randomLabels(count, seed + 1)));
  }

  // ---- archives ----

  /** A .tar.gz with the given entries, in order; a null body makes a directory entry. */
  public static Path tarGz(Path file, Map<String, byte[]> entries) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        // Preserve absolute names: the tests need archives that try to escape.
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
        if (e.getValue() != null) {
          entry.setSize(e.getValue().length);
        }
        tar.putArchiveEntry(entry);
        if (e.getValue() != null) {
          tar.write(e.getValue());
        }
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  public static Map<String, byte[]> entries() {
    return new LinkedHashMap<>();
  }

  // ---- images ----

  /**
   * A PNG of random pixels; {@code type} is a {@code BufferedImage.TYPE_*}. (Images stay inside
   * this class so that no public signature of the test module exposes {@code java.desktop}.)
   */
  public static byte[] png(int width, int height, int type, long seed) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image(width, height, type, seed), "png", out)).isTrue();
    return out.toByteArray();
  }

  /** A JPEG of random pixels, baseline or progressive. */
  public static byte[] jpeg(int width, int height, int type, long seed, boolean progressive)
      throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image(width, height, type, seed), null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static BufferedImage image(int width, int height, int type, long seed) {
    BufferedImage img = new BufferedImage(width, height, type);
    Random r = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, r.nextInt() | 0xff000000);
      }
    }
    return img;
  }

  // ---- reading output ----

  public static Manifest manifest(Path outputDir) throws IOException {
    return Manifest.read(outputDir.resolve(Manifest.FILE_NAME));
  }

  /** The raw records of a split, shard by shard, in order. */
  public static List<byte[]> records(Path outputDir, String split) throws IOException {
    SplitManifest s = manifest(outputDir).split(split).orElseThrow();
    List<byte[]> out = new ArrayList<>();
    for (ShardInfo shard : s.shards()) {
      try (RecordReader r = RecordReader.open(outputDir.resolve(shard.file()))) {
        while (r.next()) {
          out.add(r.copyRecord());
        }
      }
    }
    return out;
  }

  public static List<Example> examples(Path outputDir, String split) throws IOException {
    List<Example> out = new ArrayList<>();
    for (byte[] r : records(outputDir, split)) {
      out.add(Example.parseFrom(r));
    }
    return out;
  }

  public static Feature feature(Example e, String name) {
    return e.getFeatures().getFeatureOrThrow(name);
  }

  public static long int64(Example e, String name) {
    return feature(e, name).getInt64List().getValue(0);
  }

  public static byte[] bytes(Example e, String name) {
    return feature(e, name).getBytesList().getValue(0).toByteArray();
  }

  public static String text(Example e, String name) {
    return feature(e, name).getBytesList().getValue(0).toStringUtf8();
  }

  /** Every name in the folder, hidden ones included. */
  public static List<String> listing(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** No shard, manifest, staging folder or temporary file of a run is in the folder. */
  public static void assertNoOutput(Path dir) throws IOException {
    assertThat(listing(dir))
        .noneMatch(n -> n.contains(".tfrecord"))
        .noneMatch(n -> n.equals(Manifest.FILE_NAME))
        .noneMatch(n -> n.startsWith(".millrace-staging-"))
        .noneMatch(n -> n.endsWith(".tmp"));
  }
}
