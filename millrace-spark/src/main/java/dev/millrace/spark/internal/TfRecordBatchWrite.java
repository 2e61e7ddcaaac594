package dev.millrace.spark.internal;

import dev.millrace.records.AtomicFiles;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * Writes a DataFrame as one TFRecord file per partition, all or nothing: each task writes its file
 * under a hidden temporary name ({@link AtomicFiles}); the job's commit renames them all to {@code
 * part-00003-of-00008.tfrecord[.gz|.zlib]} (with the query's id before the suffix when appending,
 * so that appends never collide), and when overwriting removes the data files that were there
 * before, after the new ones are in place. A failed task or job removes its temporary files, so a
 * reader of the folder never sees part of a job.
 *
 * <p>Spark reports a failed job before it has stopped the job's other tasks, which may still be
 * writing. So the write tags its job, and its commit and abort wait until no task of the tagged job
 * runs ({@link QuietJobs}) before they sweep every temporary file that carries this write's id: a
 * killed task's, a speculative duplicate's, a task's whose result never reached the driver.
 */
final class TfRecordBatchWrite implements BatchWrite {
  private final Path directory;
  private final SourceOptions options;
  private final RowEncoder encoder;
  private final boolean truncate;
  private final String queryId;
  private final String writeId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private int partitions;
  private SparkContext tagged;

  TfRecordBatchWrite(
      Path directory, SourceOptions options, RowEncoder encoder, boolean truncate, String queryId) {
    this.directory = directory;
    this.options = options;
    this.encoder = encoder;
    this.truncate = truncate;
    this.queryId = queryId;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    partitions = info.numPartitions();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Spark submits the write's job from this thread right after this call, with its tags.
    SparkSession.getActiveSession()
        .foreach(
            session -> {
              tagged = session.sparkContext();
              tagged.addJobTag(jobTag());
              return null;
            });
    return new Factory(
        directory.toAbsolutePath().toString(), writeId, options.writeCompression(), encoder);
  }

  private String jobTag() {
    return "millrace-write-" + writeId;
  }

  /**
   * Untags this thread, waits until no task of the write's job runs, and deletes every temporary
   * file of this write that is left in the folder.
   */
  private void sweep() {
    if (tagged != null) {
      tagged.removeJobTag(jobTag());
      SparkContext sc = tagged;
      QuietJobs.await(
          JavaSparkContext.fromSparkContext(sc).statusTracker(),
          () -> sc.statusTracker().getJobIdsForTag(jobTag()),
          60);
      tagged = null;
    }
    String marker = "." + writeId + ".tfrecord.";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, ".part-*.tmp")) {
      for (Path p : entries) {
        if (p.getFileName().toString().contains(marker)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // Hidden, and removed by the next writer once this process has ended.
    }
  }

  /** The final name of partition {@code p}'s file. */
  String fileName(int p) {
    String id = truncate ? "" : "-" + queryId.replace("-", "").substring(0, 8);
    return String.format(
        "part-%05d-of-%05d%s.tfrecord%s", p, partitions, id, options.writeCompression().suffix());
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    List<Path> renamed = new ArrayList<>();
    Set<String> ours = new HashSet<>();
    try {
      for (WriterCommitMessage m : messages) {
        Written w = (Written) m;
        Path target = directory.resolve(fileName(w.partition()));
        AtomicFiles.commit(Path.of(w.temporary()), target);
        renamed.add(target);
        ours.add(target.getFileName().toString());
      }
      if (truncate) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
          for (Path p : entries) {
            if (InputFiles.isDataFile(p) && !ours.contains(p.getFileName().toString())) {
              Files.delete(p);
            }
          }
        }
        AtomicFiles.syncDirectory(directory);
      }
      sweep();
    } catch (IOException e) {
      for (Path p : renamed) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      abort(messages);
      throw new UncheckedIOException(directory + ": committing the written files failed", e);
    }
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    sweep();
    for (WriterCommitMessage m : messages) {
      if (m instanceof Written w) {
        try {
          Files.deleteIfExists(Path.of(w.temporary()));
        } catch (IOException e) {
          // Hidden, and removed by the next writer once this process has ended.
        }
      }
    }
  }

  /** A task's finished file, under its temporary name. */
  record Written(int partition, String temporary, long records) implements WriterCommitMessage {
    @Serial private static final long serialVersionUID = 1L;
  }

  private record Factory(
      String directory, String writeId, Compression compression, RowEncoder encoder)
      implements DataWriterFactory, Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
      try {
        return new Writer(Path.of(directory), writeId, partitionId, compression, encoder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final class Writer implements DataWriter<InternalRow> {
    private final int partition;
    private final Path temporary;
    private final RecordWriter out;
    private final RowEncoder encoder;
    private boolean done;

    Writer(
        Path directory, String writeId, int partition, Compression compression, RowEncoder encoder)
        throws IOException {
      this.partition = partition;
      this.encoder = encoder;
      this.temporary =
          AtomicFiles.createTemporaryFor(
              directory.resolve(String.format("part-%05d.%s.tfrecord", partition, writeId)));
      this.out = RecordWriter.create(temporary, compression);
    }

    @Override
    public void write(InternalRow row) throws IOException {
      out.write(encoder.encode(row));
    }

    @Override
    public WriterCommitMessage commit() throws IOException {
      out.close();
      done = true;
      return new Written(partition, temporary.toString(), out.records());
    }

    @Override
    public void abort() throws IOException {
      done = true;
      try {
        out.close();
      } finally {
        Files.deleteIfExists(temporary);
      }
    }

    @Override
    public void close() throws IOException {
      if (!done) {
        abort();
      }
    }
  }
}
