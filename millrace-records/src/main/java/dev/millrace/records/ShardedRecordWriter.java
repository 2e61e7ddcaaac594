package dev.millrace.records;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a stream of records as shards of about {@link ShardingOptions#targetShardBytes()} each,
 * named as TensorFlow names them: {@code <prefix>-00000-of-00012.tfrecord} (plus {@code .gz} or
 * {@code .zlib} when compressed).
 *
 * <p>The shard count is known only at the end, so each shard is written under a hidden temporary
 * name and all are renamed by {@link #finish()}. {@link #close()} without {@code finish()} (an
 * error, an interruption) deletes them: a failed run leaves no partial shard behind. Older shards
 * of the same prefix in the folder (from a run that made a different number of shards) are removed
 * by {@code finish()}, so a glob over the folder never mixes two runs.
 */
public final class ShardedRecordWriter implements Closeable {
  /** Sees every record written, in order; the manifest's schema is built this way. */
  public interface RecordObserver {
    void observe(byte[] data, int offset, int length);
  }

  private final Path directory;
  private final String prefix;
  private final ShardingOptions options;
  private final RecordObserver observer;
  private final List<Path> temporaries = new ArrayList<>();
  private final List<ShardInfo> written = new ArrayList<>();

  private RecordWriter current;
  private DigestOutputStream currentDigest;
  private boolean finished;
  private boolean closed;

  public ShardedRecordWriter(Path directory, String prefix, ShardingOptions options)
      throws IOException {
    this(directory, prefix, options, (data, offset, length) -> {});
  }

  public ShardedRecordWriter(
      Path directory, String prefix, ShardingOptions options, RecordObserver observer)
      throws IOException {
    if (prefix.isEmpty() || prefix.contains("/")) {
      throw new IllegalArgumentException("shard prefix: '" + prefix + "' (expected a file name)");
    }
    this.directory = directory;
    this.prefix = prefix;
    this.options = options;
    this.observer = observer;
    Files.createDirectories(directory);
  }

  public void write(byte[] data) throws IOException {
    write(data, 0, data.length);
  }

  public void write(byte[] data, int offset, int length) throws IOException {
    if (finished) {
      throw new IllegalStateException("sharded writer for '" + prefix + "' is finished");
    }
    if (current != null
        && options.startsNewShard(current.records(), current.uncompressedBytes(), length)) {
      closeCurrent();
    }
    if (current == null) {
      openNext();
    }
    current.write(data, offset, length);
    observer.observe(data, offset, length);
  }

  /** Records written so far, over all shards. */
  public long records() {
    long n = current == null ? 0 : current.records();
    for (ShardInfo s : written) {
      n += s.records();
    }
    return n;
  }

  /**
   * Closes the last shard and gives every shard its final name. An empty stream still yields one
   * empty shard, so that a reader of the split finds a file.
   *
   * @return the shards in order
   */
  public List<ShardInfo> finish() throws IOException {
    if (finished) {
      if (closed) {
        throw new IllegalStateException(
            "sharded writer for '" + prefix + "' was closed before finish(): its shards are gone");
      }
      return List.copyOf(written);
    }
    if (current == null && written.isEmpty()) {
      openNext();
    }
    closeCurrent();
    int count = temporaries.size();
    List<ShardInfo> renamed = new ArrayList<>(count);
    Set<String> finalNames = new HashSet<>();
    List<Path> committed = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        String name = shardName(prefix, i, count, options.compression());
        Path target = directory.resolve(name);
        AtomicFiles.commit(temporaries.get(i), target);
        committed.add(target);
        ShardInfo s = written.get(i);
        renamed.add(new ShardInfo(name, s.records(), s.bytes(), s.sha256()));
        finalNames.add(name);
      }
    } catch (IOException | RuntimeException e) {
      // Half a set of shards is worse than none: take back what was renamed, then clean up.
      for (Path p : committed) {
        Files.deleteIfExists(p);
      }
      close();
      throw e;
    }
    temporaries.clear();
    written.clear();
    written.addAll(renamed);
    finished = true;
    removeStaleShards(finalNames);
    return List.copyOf(written);
  }

  /** TensorFlow's shard name: {@code train-00003-of-00012.tfrecord[.gz|.zlib]}. */
  public static String shardName(String prefix, int index, int count, Compression compression) {
    return String.format("%s-%05d-of-%05d.tfrecord%s", prefix, index, count, compression.suffix());
  }

  /** Deletes unfinished shards, unless {@link #finish()} has run. */
  @Override
  public void close() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    closed = true;
    try {
      if (current != null) {
        current.close();
      }
    } finally {
      for (Path tmp : temporaries) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private void openNext() throws IOException {
    int index = temporaries.size();
    Path tmp =
        AtomicFiles.createTemporaryFor(
            directory.resolve(
                String.format(
                    "%s-%05d.tfrecord%s", prefix, index, options.compression().suffix())));
    temporaries.add(tmp);
    OutputStream file = Files.newOutputStream(tmp);
    currentDigest = new DigestOutputStream(file, sha256());
    current = RecordWriter.wrap(currentDigest, options.compression());
  }

  private void closeCurrent() throws IOException {
    if (current == null) {
      return;
    }
    current.close();
    Path tmp = temporaries.get(temporaries.size() - 1);
    String digest = HexFormat.of().formatHex(currentDigest.getMessageDigest().digest());
    written.add(
        new ShardInfo(tmp.getFileName().toString(), current.records(), Files.size(tmp), digest));
    current = null;
    currentDigest = null;
  }

  private void removeStaleShards(Set<String> keep) throws IOException {
    Pattern ours =
        Pattern.compile(Pattern.quote(prefix) + "-\\d{5}-of-\\d{5}\\.tfrecord(\\.gz|\\.zlib)?");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (ours.matcher(name).matches() && !keep.contains(name)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
