package dev.millrace.cli;

import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.FeatureSchema;
import dev.millrace.records.Manifest;
import dev.millrace.records.RecordReader;
import dev.millrace.records.SchemaCollector;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What {@code millrace inspect} finds in TFRecord files: counts, sizes, corrupt records, the schema
 * of their Examples, and (when asked) whether they match their folder's manifest.
 */
final class Inspection {
  /** One file's findings. {@code error} is the first corruption's one-line message, or null. */
  record FileReport(
      Path path,
      Compression compression,
      long records,
      long bytes,
      long corruptRecords,
      String error) {}

  /** A record kept for display. */
  record ShownRecord(Path file, long index, long offset, byte[] data) {}

  private final Compression forcedCompression;
  private final int show;
  private final List<FileReport> files = new ArrayList<>();
  private final List<ShownRecord> shown = new ArrayList<>();
  private final List<String> manifestProblems = new ArrayList<>();
  private final List<Path> manifestsChecked = new ArrayList<>();
  private final SchemaCollector schema = new SchemaCollector();

  /**
   * @param forcedCompression compression of every file, or null to detect it from each suffix
   * @param show how many records (in input order) to keep for display
   */
  Inspection(Compression forcedCompression, int show) {
    this.forcedCompression = forcedCompression;
    this.show = show;
  }

  /** Expands folders to the TFRecord files in them, sorted by name. */
  static List<Path> expand(List<Path> inputs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          List<Path> found =
              entries
                  .filter(Files::isRegularFile)
                  .filter(f -> f.getFileName().toString().contains(".tfrecord"))
                  .filter(f -> !f.getFileName().toString().startsWith("."))
                  .sorted()
                  .toList();
          if (found.isEmpty()) {
            throw new IOException(p + ": no TFRecord files (*.tfrecord*) in this folder");
          }
          out.addAll(found);
        }
      } else if (Files.exists(p)) {
        out.add(p);
      } else {
        throw new IOException(p + ": no such file or directory");
      }
    }
    return out;
  }

  /** Reads every record of {@code file}, checking both CRCs, counting corrupt records. */
  void inspectFile(Path file, Consumer<Long> progress) throws IOException {
    Compression c = forcedCompression != null ? forcedCompression : Compression.fromFileName(file);
    long bytes = Files.size(file);
    String error = null;
    long records = 0;
    long corrupt = 0;
    try (RecordReader reader = RecordReader.open(file, c, CorruptRecordPolicy.SKIP)) {
      while (reader.next()) {
        schema.observe(reader.array(), reader.offset(), reader.length());
        if (shown.size() < show) {
          shown.add(
              new ShownRecord(
                  file, reader.recordIndex(), reader.recordOffset(), reader.copyRecord()));
        }
        if ((++records & 1023) == 0) {
          progress.accept(1024L);
        }
      }
      progress.accept(records & 1023);
      corrupt = reader.corruptRecords();
      if (reader.firstCorruption() != null) {
        error = reader.firstCorruption().getMessage();
      }
    } catch (IOException e) {
      // A stream that cannot be decompressed at all: still a report, not a crash.
      error = OneLineErrors.describe(e);
      corrupt = Math.max(corrupt, 1);
    }
    files.add(new FileReport(file, c, records, bytes, corrupt, error));
  }

  /**
   * Checks each folder's {@code manifest.json} against the files in it: presence, size, SHA-256 and
   * record count of every shard it lists.
   */
  void verifyManifests(List<Path> inputs) throws IOException {
    List<Path> folders = new ArrayList<>();
    for (Path p : inputs) {
      Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
      if (dir != null && !folders.contains(dir) && Files.exists(dir.resolve(Manifest.FILE_NAME))) {
        folders.add(dir);
      }
    }
    for (Path dir : folders) {
      Path manifestFile = dir.resolve(Manifest.FILE_NAME);
      manifestsChecked.add(manifestFile);
      Manifest manifest;
      try {
        manifest = Manifest.read(manifestFile);
      } catch (IOException e) {
        manifestProblems.add(OneLineErrors.describe(e)); // names the file already
        continue;
      }
      for (SplitManifest split : manifest.splits()) {
        for (ShardInfo shard : split.shards()) {
          checkShard(dir, shard);
        }
      }
    }
  }

  private void checkShard(Path dir, ShardInfo shard) throws IOException {
    Path file = dir.resolve(shard.file());
    if (!Files.isRegularFile(file)) {
      manifestProblems.add(file + ": listed in the manifest but missing");
      return;
    }
    long size = Files.size(file);
    if (size != shard.bytes()) {
      manifestProblems.add(file + ": " + size + " bytes, the manifest says " + shard.bytes());
      return;
    }
    String sha = sha256(file);
    if (!sha.equalsIgnoreCase(shard.sha256())) {
      manifestProblems.add(
          file + ": SHA-256 " + sha + " differs from the manifest's " + shard.sha256());
    }
    files.stream()
        .filter(
            f -> f.path().toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize()))
        .filter(f -> f.records() != shard.records())
        .findFirst()
        .ifPresent(
            f ->
                manifestProblems.add(
                    file + ": " + f.records() + " records, the manifest says " + shard.records()));
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  List<FileReport> files() {
    return files;
  }

  List<ShownRecord> shown() {
    return shown;
  }

  List<FeatureSchema> schema() {
    return schema.schema();
  }

  long examples() {
    return schema.examples();
  }

  long notExamples() {
    return schema.notExamples();
  }

  List<String> manifestProblems() {
    return manifestProblems;
  }

  List<Path> manifestsChecked() {
    return manifestsChecked;
  }

  long totalRecords() {
    return files.stream().mapToLong(FileReport::records).sum();
  }

  long totalBytes() {
    return files.stream().mapToLong(FileReport::bytes).sum();
  }

  long totalCorrupt() {
    return files.stream().mapToLong(FileReport::corruptRecords).sum();
  }

  /** The first problem found, as the one line a failing command prints; null when all is well. */
  String firstProblem() {
    for (FileReport f : files) {
      if (f.error() != null) {
        return f.error()
            + (f.corruptRecords() > 1
                ? " (" + f.corruptRecords() + " corrupt records in this file)"
                : "");
      }
    }
    return manifestProblems.isEmpty() ? null : manifestProblems.get(0);
  }
}
