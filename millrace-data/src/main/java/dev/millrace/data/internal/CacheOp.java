package dev.millrace.data.internal;

import dev.millrace.data.Batch;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.RecordReader;
import dev.millrace.records.RecordWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code cache()}: the first iteration that runs its input to the end keeps every element, in
 * memory or in a file; later iterations (later epochs, later iterators of the same dataset, later
 * processes for a file) read them from there without running the input. An iteration that stops
 * early, fails, or was restored mid-way keeps nothing, so a cache is always complete.
 *
 * <p>The file holds one TFRecord per element (so it is CRC-checked when read back), written under a
 * temporary name and renamed when complete.
 */
public final class CacheOp<T> extends Op<T> {
  private final Op<T> input;
  private final Path file;
  private volatile List<Object> memory;

  public CacheOp(Op<T> input, Path file) {
    super("cache", false, input);
    this.input = input;
    this.file = file;
  }

  @Override
  protected String params() {
    return file == null ? "memory" : file.getFileName().toString();
  }

  @Override
  public Node<T> open(Ctx ctx) {
    if (file == null) {
      List<Object> done = memory;
      if (done != null) {
        return new Replay(ctx.registerFirst(this, false), done);
      }
      Node<T> in = input.open(ctx);
      return new Fill(ctx.register(this, false, in), in);
    }
    if (Files.exists(file)) {
      return new ReadFile(ctx.registerFirst(this, false));
    }
    Node<T> in = input.open(ctx);
    return new WriteFile(ctx.register(this, false, in), in);
  }

  private final class Replay extends Node<T> {
    private final List<Object> items;
    private int i;

    Replay(StageCounters stats, List<Object> items) {
      super(stats);
      this.items = items;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected T produce() {
      return i < items.size() ? (T) items.get(i++) : null;
    }

    @Override
    public long skip(long n) {
      long k = Math.min(n, items.size() - i);
      i += (int) k;
      return k;
    }
  }

  private final class Fill extends Node<T> {
    private final Node<T> in;
    private final List<Object> items = new ArrayList<>();
    private boolean complete = true;

    Fill(StageCounters stats, Node<T> in) {
      super(stats);
      this.in = in;
    }

    @Override
    protected T produce() {
      T x;
      try {
        x = in.pull();
      } catch (RuntimeException e) {
        complete = false;
        throw e;
      }
      if (x == null) {
        if (complete && memory == null) {
          memory = items;
        }
        complete = false;
        return null;
      }
      if (complete) {
        // The consumer may release what it got; the replay of later epochs needs it intact.
        if (x instanceof Batch b) {
          b.retain();
        }
        items.add(x);
      }
      return x;
    }

    @Override
    public long skip(long n) {
      complete = false;
      items.clear();
      return in.skip(n);
    }

    @Override
    protected void onClose() {
      in.close();
    }
  }

  private final class ReadFile extends Node<T> {
    private RecordReader reader;
    private long index;

    ReadFile(StageCounters stats) {
      super(stats);
    }

    private boolean advance() {
      try {
        if (reader == null) {
          reader = RecordReader.open(file, Compression.NONE, CorruptRecordPolicy.FAIL);
        }
        return reader.next();
      } catch (IOException e) {
        throw Errors.fatal(stats.name, index, e);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected T produce() {
      if (!advance()) {
        return null;
      }
      try {
        index++;
        return (T) ElementCodec.decode(reader.copyRecord());
      } catch (IOException e) {
        IOException located =
            new IOException(
                file
                    + "@"
                    + reader.recordOffset()
                    + " (record "
                    + reader.recordIndex()
                    + "): "
                    + e.getMessage(),
                e);
        throw Errors.fatal(stats.name, index - 1, located);
      }
    }

    @Override
    public long skip(long n) {
      long done = 0;
      while (done < n && advance()) {
        done++;
        index++;
      }
      return done;
    }

    @Override
    protected void onClose() {
      closeQuietly(reader);
    }
  }

  private final class WriteFile extends Node<T> {
    private final Node<T> in;
    private final Path tmp;
    private RecordWriter writer;
    private boolean complete = true;
    private long index;

    WriteFile(StageCounters stats, Node<T> in) {
      super(stats);
      this.in = in;
      this.tmp =
          file.resolveSibling(
              file.getFileName()
                  + ".tmp-"
                  + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    @Override
    protected T produce() {
      T x;
      try {
        x = in.pull();
      } catch (RuntimeException e) {
        complete = false;
        throw e;
      }
      try {
        if (x == null) {
          if (complete) {
            finish();
          }
          complete = false;
          return null;
        }
        if (complete) {
          if (writer == null) {
            writer = RecordWriter.create(tmp, Compression.NONE);
          }
          writer.write(ElementCodec.encode(x));
        }
        index++;
        return x;
      } catch (IOException | IllegalArgumentException e) {
        complete = false;
        throw Errors.fatal(stats.name, index, e);
      }
    }

    private void finish() throws IOException {
      if (writer == null) {
        writer = RecordWriter.create(tmp, Compression.NONE);
      }
      writer.close();
      writer = null;
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public long skip(long n) {
      complete = false;
      return in.skip(n);
    }

    @Override
    protected void onClose() {
      try {
        in.close();
      } finally {
        closeQuietly(writer);
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // A leftover temporary file is harmless: it is never read.
        }
      }
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // Closing a reader or an abandoned writer loses nothing.
      }
    }
  }
}
