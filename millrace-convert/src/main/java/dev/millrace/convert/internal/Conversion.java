package dev.millrace.convert.internal;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.spi.RecordEncoder;
import dev.millrace.convert.spi.SplitWriter;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.Manifest;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One conversion into one output folder, all or nothing.
 *
 * <p>Every split is written into a hidden staging folder inside the output folder (same file
 * system, so that the final moves are renames), {@code .millrace-staging-<pid>-<random>}. Only
 * {@link #commit} moves the shards out and then {@code manifest.json}, written in staging too,
 * last, so that a manifest always describes shards that exist and are complete. {@link #close()}
 * deletes the staging folder, and — if this conversion created the output folder and it is still
 * empty — the output folder too: a failed run leaves nothing of itself behind, and an earlier run's
 * output stays as it was.
 *
 * <p>A run killed outright ({@code kill -9}, a power loss) cannot tidy up: its staging folder
 * stays, hidden, and a visible shard is always a complete one. The next conversion into the same
 * folder removes the staging folders of processes that are no longer running (the process id in the
 * name says whose a folder is); a running conversion's folder is never touched.
 */
public final class Conversion implements Closeable {
  private static final String STAGING_PREFIX = ".millrace-staging-";

  /** {@code .millrace-staging-<pid>-<random>}; the pid is the writing process's. */
  private static final Pattern STAGING =
      Pattern.compile(Pattern.quote(STAGING_PREFIX) + "(\\d+)-\\d+");

  private final Path outputDir;
  private final boolean createdOutputDir;
  private final Path staging;
  private final ConvertOptions options;
  private final ProgressListener progress;
  private final SplitWriter writer;

  /** The writer this conversion made and must close; null when the caller gave one. */
  private final LocalSplitWriter ownWriter;

  private final List<SplitManifest> splits = new ArrayList<>();

  private Conversion(
      Path outputDir,
      boolean createdOutputDir,
      Path staging,
      ConvertOptions options,
      ProgressListener progress,
      SplitWriter writer) {
    this.outputDir = outputDir;
    this.createdOutputDir = createdOutputDir;
    this.staging = staging;
    this.options = options;
    this.progress = progress;
    this.ownWriter = writer == null ? new LocalSplitWriter(options.threads()) : null;
    this.writer = writer == null ? ownWriter : writer;
  }

  /**
   * Creates the output folder if needed and a fresh staging folder inside it, after removing the
   * staging folders that killed runs left there; splits are written on this machine's threads.
   */
  public static Conversion start(Path outputDir, ConvertOptions options, ProgressListener progress)
      throws IOException {
    return start(outputDir, options, progress, null);
  }

  /**
   * As {@link #start(Path, ConvertOptions, ProgressListener)}, with splits written by {@code
   * writer} (null: on this machine's threads).
   */
  public static Conversion start(
      Path outputDir, ConvertOptions options, ProgressListener progress, SplitWriter writer)
      throws IOException {
    boolean created = !Files.isDirectory(outputDir);
    Files.createDirectories(outputDir);
    removeAbandonedStaging(outputDir);
    long pid = ProcessHandle.current().pid();
    Path staging = Files.createTempDirectory(outputDir, STAGING_PREFIX + pid + "-");
    return new Conversion(outputDir, created, staging, options, progress, writer);
  }

  /**
   * Deletes the staging folders in {@code outputDir} whose writing process is no longer running.
   * Folders of running processes (another conversion into the same folder, this one's own) and
   * folders named otherwise are left alone.
   *
   * @return how many folders were deleted
   */
  static int removeAbandonedStaging(Path outputDir) throws IOException {
    List<Path> abandoned = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(outputDir, STAGING_PREFIX + "*")) {
      for (Path p : entries) {
        Matcher m = STAGING.matcher(p.getFileName().toString());
        if (m.matches()
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
            && !isRunning(m.group(1))) {
          abandoned.add(p);
        }
      }
    }
    for (Path p : abandoned) {
      try {
        deleteRecursively(p);
      } catch (NoSuchFileException e) {
        // A conversion starting beside this one is removing the same folder.
      }
    }
    return abandoned.size();
  }

  private static boolean isRunning(String pid) {
    try {
      return AtomicFiles.isRunning(Long.parseLong(pid));
    } catch (NumberFormatException e) {
      return true; // not a process id this code wrote: not ours to judge
    }
  }

  public ConvertOptions options() {
    return options;
  }

  /**
   * Writes one split: {@code count} records, the {@code i}-th being {@code
   * encoder.encode(order[i])} where {@code order} is the source order or its seeded permutation.
   */
  public SplitManifest writeSplit(String name, int count, RecordEncoder encoder)
      throws IOException {
    if (splits.stream().anyMatch(s -> s.name().equals(name))) {
      throw new IllegalStateException("split '" + name + "' is already written");
    }
    int[] order = RecordOrder.of(count, options.shuffle(), options.seed());
    progress.begin(name, count);
    try {
      SplitManifest split = writer.write(staging, name, order, encoder, options, progress);
      if (!split.name().equals(name) || split.records() != count) {
        throw new IllegalStateException(
            "split writer "
                + writer.getClass().getName()
                + " wrote split '"
                + split.name()
                + "' of "
                + split.records()
                + " records, expected '"
                + name
                + "' of "
                + count);
      }
      splits.add(split);
      return split;
    } finally {
      progress.end();
    }
  }

  /**
   * Moves every split's shards into the output folder, removes older shards of the same splits that
   * this run did not overwrite, and moves {@code manifest.json} in, last.
   */
  public Manifest commit(String source) throws IOException {
    Manifest manifest = Manifest.of(source, splits);
    // Written (and forced to disk) before anything visible changes, so that committing it is one
    // rename that cannot fail half-way.
    manifest.writeTo(staging);
    // An older manifest would describe shards about to be replaced: it goes first, so that a
    // failure or a kill while moving never leaves a manifest that lies.
    Path visibleManifest = outputDir.resolve(Manifest.FILE_NAME);
    Files.deleteIfExists(visibleManifest);
    AtomicFiles.syncDirectory(outputDir);
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
      AtomicFiles.commit(staging.resolve(Manifest.FILE_NAME), visibleManifest);
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
      if (ownWriter != null) {
        ownWriter.close();
      }
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
