package dev.millrace.bench.tensorflow;

import dev.millrace.bench.BenchCache;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A CIFAR-10-shaped training split as TFRecord shards, for comparing the input pipelines on
 * 3,072-byte images: a synthetic {@code cifar-10-binary.tar.gz} (each record one label byte and
 * 3,072 pixel bytes, from a fixed seed) converted by Millrace's own CIFAR-10 binary converter, as
 * {@code millrace convert --from cifar10-bin} does. The training split ({@code data_batch_1..4})
 * holds {@value #TRAIN_RECORDS} records in one uncompressed shard.
 *
 * <p>Pixel values play no part in decoding speed, so they are uniform random bytes. The shards are
 * written once into {@code cifar-synthetic} of the {@link BenchCache} and reused by later runs; the
 * archive is deleted once converted.
 */
public final class CifarRecords implements TrainShards {
  /**
   * Records in the training split: as many as Fashion-MNIST's (CIFAR-10 has 50,000), so that one
   * benchmark operation is the same number of records on either set.
   */
  public static final int TRAIN_RECORDS = 60_000;

  private static final int PER_TRAIN_BATCH = TRAIN_RECORDS / 4;

  /** Records of the validation and eval batches, which the benchmarks do not read. */
  private static final int PER_HELD_OUT_BATCH = 100;

  private static final int IMAGE_BYTES = 32 * 32 * 3;
  private static final long SEED = 10;
  private static final String DIR = "cifar-10-batches-bin/";
  private static final FileTime MTIME = FileTime.from(Instant.parse("2009-06-04T22:20:47Z"));

  private final List<Path> trainShards;

  private CifarRecords(List<Path> trainShards) {
    this.trainShards = List.copyOf(trainShards);
  }

  /** The cached shards, written first if the cache does not hold them yet. */
  public static CifarRecords convert() throws IOException {
    Path root = BenchCache.root().resolve("cifar-synthetic");
    Path records = root.resolve("records");
    if (!BenchCache.isComplete(root)) {
      BenchCache.deleteTree(root);
      Files.createDirectories(root);
      Path archive = root.resolve("cifar-10-binary.tar.gz");
      writeArchive(archive);
      // One shard for the training split, as the Fashion-MNIST comparison reads one file.
      ConvertOptions options = ConvertOptions.defaults().withShardBytes(1L << 30);
      Converters.convert(
          SourceFormat.CIFAR10_BIN, archive, records, options, ProgressListener.none());
      Files.delete(archive);
      BenchCache.markComplete(
          root, TRAIN_RECORDS + " training records, seed " + SEED + ", converted from cifar10-bin");
    }
    List<Path> shards;
    try (Stream<Path> files = Files.list(records)) {
      shards = files.filter(p -> p.getFileName().toString().startsWith("train-")).sorted().toList();
    }
    if (shards.isEmpty()) {
      throw new IllegalStateException(
          "no train-* shard in " + records + " (delete " + root + " to write it again)");
    }
    return new CifarRecords(shards);
  }

  /**
   * The archive as distributed: {@code cifar-10-batches-bin/} with {@code data_batch_1..5.bin} and
   * {@code test_batch.bin}, labels 0..9.
   */
  private static void writeArchive(Path archive) throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    try (OutputStream file = Files.newOutputStream(archive);
        GZIPOutputStream gzip = new FastGzip(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      for (int b = 1; b <= 5; b++) {
        entry(
            tar, "data_batch_" + b + ".bin", b <= 4 ? PER_TRAIN_BATCH : PER_HELD_OUT_BATCH, random);
      }
      entry(tar, "test_batch.bin", PER_HELD_OUT_BATCH, random);
    }
  }

  private static void entry(TarArchiveOutputStream tar, String name, int n, SplittableRandom r)
      throws IOException {
    byte[] body = new byte[n * (1 + IMAGE_BYTES)];
    r.nextBytes(body);
    for (int i = 0; i < n; i++) {
      body[i * (1 + IMAGE_BYTES)] = (byte) r.nextInt(10);
    }
    TarArchiveEntry e = new TarArchiveEntry(DIR + name);
    e.setSize(body.length);
    e.setLastModifiedTime(MTIME);
    tar.putArchiveEntry(e);
    tar.write(body);
    tar.closeArchiveEntry();
  }

  /** Random bytes do not compress: the fastest level saves most of the writing time. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** The training split's shard, {@value #TRAIN_RECORDS} records. */
  @Override
  public List<Path> trainShards() {
    return trainShards;
  }

  /** Nothing to do: the shards stay in the cache for the next run. */
  @Override
  public void close() {}
}
