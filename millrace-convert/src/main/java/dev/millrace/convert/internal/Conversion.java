package dev.millrace.convert.internal;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.Manifest;
import dev.millrace.records.SchemaCollector;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.ShardedRecordWriter;
import dev.millrace.records.SplitManifest;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One conversion into one output folder, all or nothing.
 *
 * <p>Every split is written into a hidden staging folder inside the output folder (same file
 * system, so that the final moves are renames). Only {@link #commit} moves the shards out and then
 * writes {@code manifest.json}, last, so that a manifest always describes shards that exist. {@link
 * #close()} deletes the staging folder, and — if this conversion created the output folder and it
 * is still empty — the output folder too: a failed run leaves nothing of itself behind, and an
 * earlier run's output stays as it was.
 */
public final class Conversion implements Closeable {
  private static final String STAGING_PREFIX = ".millrace-staging-";

  private final Path outputDir;
  private final boolean createdOutputDir;
  private final Path staging;
  private final ConvertOptions options;
  private final ProgressListener progress;
  private final ParallelEncoder encoder;
  private final List<SplitManifest> splits = new ArrayList<>();

  private Conversion(
      Path outputDir,
      boolean createdOutputDir,
      Path staging,
      ConvertOptions options,
      ProgressListener progress) {
    this.outputDir = outputDir;
    this.createdOutputDir = createdOutputDir;
    this.staging = staging;
    this.options = options;
    this.progress = progress;
    this.encoder = new ParallelEncoder(options.threads());
  }

  /** Creates the output folder if needed and a fresh staging folder inside it. */
  public static Conversion start(Path outputDir, ConvertOptions options, ProgressListener progress)
      throws IOException {
    boolean created = !Files.isDirectory(outputDir);
    Files.createDirectories(outputDir);
    Path staging = Files.createTempDirectory(outputDir, STAGING_PREFIX);
    return new Conversion(outputDir, created, staging, options, progress);
  }

  public ConvertOptions options() {
    return options;
  }

  /**
   * Writes one split: {@code count} records, the {@code i}-th being {@code
   * encoder.encode(order[i])} where {@code order} is the source order or its seeded permutation.
   */
  public SplitManifest writeSplit(String name, int count, ParallelEncoder.Encoder encoder)
      throws IOException {
    if (splits.stream().anyMatch(s -> s.name().equals(name))) {
      throw new IllegalStateException("split '" + name + "' is already written");
    }
    int[] order = RecordOrder.of(count, options.shuffle(), options.seed());
    SchemaCollector schema = new SchemaCollector();
    // About a hundred updates per split: a progress bar need not hear of every record.
    long step = Math.max(1, Math.min(1024, count / 100));
    progress.begin(name, count);
    try (ShardedRecordWriter writer =
        new ShardedRecordWriter(staging, name, options.sharding(), schema)) {
      long[] pending = {0};
      this.encoder.run(
          count,
          position -> encoder.encode(order[position]),
          record -> {
            writer.write(record);
            if (++pending[0] == step) {
              progress.advance(pending[0]);
              pending[0] = 0;
            }
          });
      if (pending[0] > 0) {
        progress.advance(pending[0]);
      }
      List<ShardInfo> shards = writer.finish();
      SplitManifest split =
          new SplitManifest(name, count, options.compression(), shards, schema.schema());
      splits.add(split);
      return split;
    } finally {
      progress.end();
    }
  }

  /**
   * Moves every split's shards into the output folder, removes older shards of the same splits that
   * this run did not overwrite, and writes {@code manifest.json}.
   */
  public Manifest commit(String source) throws IOException {
    Manifest manifest = Manifest.of(source, splits);
    // An older manifest would describe shards about to be replaced: it goes first, so that a
    // failure while moving never leaves a manifest that lies.
    Files.deleteIfExists(outputDir.resolve(Manifest.FILE_NAME));
    List<Path> moved = new ArrayList<>();
    try {
      for (SplitManifest split : splits) {
        for (ShardInfo shard : split.shards()) {
          Path target = outputDir.resolve(shard.file());
          AtomicFiles.commit(staging.resolve(shard.file()), target);
          moved.add(target);
        }
      }
      for (SplitManifest split : splits) {
        removeStaleShards(split);
      }
      manifest.writeTo(outputDir);
    } catch (IOException | RuntimeException e) {
      // Without its manifest this run's output is partial: take it back out.
      for (Path p : moved) {
        Files.deleteIfExists(p);
      }
      throw e;
    }
    return manifest;
  }

  /** Deletes the staging folder (and an output folder this run created, if empty). */
  @Override
  public void close() throws IOException {
    try {
      encoder.close();
    } finally {
      deleteRecursively(staging);
      if (createdOutputDir && isEmptyDirectory(outputDir)) {
        Files.deleteIfExists(outputDir);
      }
    }
  }

  /**
   * Shards named like this split's but not written by this run: another run's, with a different
   * count.
   */
  private void removeStaleShards(SplitManifest split) throws IOException {
    Set<String> keep = new HashSet<>();
    split.shards().forEach(s -> keep.add(s.file()));
    Pattern ours =
        Pattern.compile(
            Pattern.quote(split.name()) + "-\\d{5}-of-\\d{5}\\.tfrecord(\\.gz|\\.zlib)?");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (ours.matcher(name).matches() && !keep.contains(name)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
