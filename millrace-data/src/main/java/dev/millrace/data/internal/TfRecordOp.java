package dev.millrace.data.internal;

import dev.millrace.data.TfRecord;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.RecordReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The records of TFRecord files, one file after another, each checked by both CRCs. Corrupt records
 * fail the iteration, unless an {@code ignoreErrors} stage downstream asks to skip and count them.
 */
public final class TfRecordOp extends Op<TfRecord> {
  private final List<Path> files;

  /** Null: detect from each file's name. */
  private final Compression compression;

  public TfRecordOp(List<Path> files, Compression compression) {
    super("tfRecords", false);
    this.files = List.copyOf(files);
    this.compression = compression;
  }

  @Override
  protected String params() {
    StringBuilder sb = new StringBuilder().append(files.size()).append(" files");
    for (int i = 0; i < Math.min(files.size(), 64); i++) {
      sb.append(i == 0 ? ": " : ", ").append(files.get(i).getFileName());
    }
    return sb.append(compression == null ? "" : ", " + compression).toString();
  }

  @Override
  public Node<TfRecord> open(Ctx ctx) {
    return new RecordNode(ctx.register(this, false), ctx);
  }

  private final class RecordNode extends Node<TfRecord> {
    private final CorruptRecordPolicy policy;
    private final StageCounters tally;
    private RecordReader reader;
    private int nextFile;
    private long produced;
    private long corruptSeen;

    RecordNode(StageCounters stats, Ctx ctx) {
      super(stats);
      this.policy = ctx.skipCorrupt ? CorruptRecordPolicy.SKIP : CorruptRecordPolicy.FAIL;
      this.tally = ctx.corruptTally;
      stats.directBytes = 0;
    }

    @Override
    protected TfRecord produce() {
      return advance() ? TfRecord.current(reader) : null;
    }

    @Override
    public long skip(long n) {
      long done = 0;
      while (done < n && advance()) {
        done++;
      }
      return done;
    }

    /** Moves to the next good record of the current or a later file; false at the very end. */
    private boolean advance() {
      try {
        while (true) {
          if (reader == null) {
            if (nextFile == files.size()) {
              return false;
            }
            Path f = files.get(nextFile++);
            reader =
                RecordReader.open(
                    f, compression == null ? Compression.fromFileName(f) : compression, policy);
            corruptSeen = 0;
          }
          boolean more = reader.next();
          countCorrupt();
          if (more) {
            produced++;
            stats.directBytes += reader.length();
            return true;
          }
          reader.close();
          reader = null;
        }
      } catch (IOException e) {
        throw Errors.fatal(stats.name, produced, e);
      }
    }

    private void countCorrupt() {
      long c = reader.corruptRecords();
      if (c != corruptSeen) {
        if (tally != null) {
          tally.dropped.addAndGet(c - corruptSeen);
        }
        corruptSeen = c;
      }
    }

    @Override
    protected void onClose() {
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          reader = null;
        }
      }
    }
  }
}
