package dev.millrace.spark.internal;

import dev.millrace.convert.ConvertOptions;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import dev.millrace.records.ShardedRecordWriter;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/** What a shard-writing task needs, and how it writes its shard. */
final class ShardTask implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** A shard written under its temporary name, with what the manifest says of it. */
  record Written(int shard, String temporary, long records, long bytes, String sha256)
      implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  private final String directory;
  private final String split;
  private final Compression compression;
  private final List<ShardPlan> plan;
  private final int[] chunkStarts;

  ShardTask(
      String directory,
      String split,
      ConvertOptions options,
      List<ShardPlan> plan,
      int[] chunkStarts) {
    this.directory = directory;
    this.split = split;
    this.compression = options.compression();
    this.plan = List.copyOf(plan);
    this.chunkStarts = chunkStarts.clone();
  }

  /**
   * Writes shard {@code k} from {@code records}, the records of its chunks in order, under a hidden
   * temporary name beside its final one.
   */
  Written write(int k, Iterator<byte[]> records) throws IOException {
    ShardPlan shard = plan.get(k);
    int skip = shard.start() - chunkStarts[shard.chunks()[0]];
    for (int i = 0; i < skip; i++) {
      records.next();
    }
    String name = ShardedRecordWriter.shardName(split, k, plan.size(), compression);
    Path temporary = AtomicFiles.createTemporaryFor(Path.of(directory).resolve(name));
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
    long count = shard.end() - shard.start();
    try {
      try (RecordWriter out =
          RecordWriter.wrap(
              new DigestOutputStream(Files.newOutputStream(temporary), sha256), compression)) {
        for (long i = 0; i < count; i++) {
          out.write(records.next());
        }
      }
      return new Written(
          k,
          temporary.toString(),
          count,
          Files.size(temporary),
          HexFormat.of().formatHex(sha256.digest()));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }
}
