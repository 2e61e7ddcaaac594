package dev.millrace.profile;

import dev.millrace.profile.internal.EventFileNames;
import dev.millrace.profile.internal.Events;
import dev.millrace.profile.proto.Event;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes a TensorBoard event file: the scalars a training loop logs, in the bytes TensorFlow's own
 * writer produces for the same events.
 *
 * <p>The file is {@code <logdir>/events.out.tfevents.<10-digit seconds>.<hostname>}, created new (a
 * suffix {@code .1}, {@code .2}, … only if that name exists); its first event carries the file
 * version, written and flushed on open so that TensorBoard sees the run at once.
 *
 * <p>Events are buffered (64 KiB) and pushed to the file by the first write after {@link
 * TensorBoardOptions#flushInterval()} has passed since the last push, as TensorFlow's summary
 * writer does, and by {@link #flush()}; {@link #close()} also forces the file to disk. A killed run
 * loses at most the buffer, and leaves at worst a truncated last record, which TensorBoard reads as
 * a file still being written.
 *
 * <p>Thread-safe: a sampler thread may log beside the training loop.
 */
public final class TensorBoardWriter implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final RecordWriter records;
  private final TensorBoardOptions options;
  private final long flushIntervalNanos;
  private Instant lastFlush;
  private IOException failure;
  private boolean closed;

  private TensorBoardWriter(
      Path file, FileChannel channel, RecordWriter records, TensorBoardOptions options) {
    this.file = file;
    this.channel = channel;
    this.records = records;
    this.options = options;
    this.flushIntervalNanos = options.flushInterval().toNanos();
  }

  /** Opens a new event file in {@code logdir} (created if missing) with the default options. */
  public static TensorBoardWriter open(Path logdir) throws IOException {
    return open(logdir, TensorBoardOptions.defaults());
  }

  /** Opens a new event file in {@code logdir} (created if missing). */
  public static TensorBoardWriter open(Path logdir, TensorBoardOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    Files.createDirectories(logdir);
    Instant now = options.clock().instant();
    EventFileNames.Created created =
        EventFileNames.create(logdir, now.getEpochSecond(), options.hostname());
    TensorBoardWriter writer;
    try {
      RecordWriter records =
          RecordWriter.wrap(Channels.newOutputStream(created.channel()), Compression.NONE);
      writer = new TensorBoardWriter(created.file(), created.channel(), records, options);
    } catch (IOException | RuntimeException e) {
      created.channel().close();
      throw e;
    }
    try {
      writer.write(Events.fileVersion(now.getEpochSecond()));
      writer.flush();
    } catch (IOException | RuntimeException e) {
      writer.closeQuietly(e);
      throw e;
    }
    return writer;
  }

  /** The event file being written. */
  public Path file() {
    return file;
  }

  /** Logs {@code value} as scalar {@code tag} at {@code step}, timed by the clock now. */
  public void scalar(String tag, long step, float value) throws IOException {
    scalar(tag, step, value, wallTime(options.clock().instant()));
  }

  /**
   * Logs {@code value} as scalar {@code tag} at {@code step} with an explicit wall time.
   *
   * @param wallTime seconds since the epoch
   */
  public synchronized void scalar(String tag, long step, float value, double wallTime)
      throws IOException {
    checkTag(tag);
    write(Events.scalar(options.scalarForm(), tag, step, value, wallTime));
    flushIfDue();
  }

  /**
   * Marks a resumed run: a {@code SessionLog} START at {@code step}. TensorBoard then drops the
   * events of earlier sessions with a step above it, which is right when training restarts from a
   * checkpoint of that step, and wrong anywhere else (it would hide data): call it only on resume.
   */
  public synchronized void sessionStart(long step) throws IOException {
    write(Events.sessionStart(step, wallTime(options.clock().instant())));
    flushIfDue();
  }

  /** Pushes buffered events to the file (not to the disk: {@link #close()} does that). */
  public synchronized void flush() throws IOException {
    ensureOpen();
    try {
      records.flush();
      lastFlush = options.clock().instant();
    } catch (IOException e) {
      throw fail("flush", e);
    }
  }

  /**
   * Flushes, forces the file to disk and closes it; later calls do nothing. After a failed write
   * the buffer is dropped instead: it may end inside a record.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (failure != null) {
      channel.close();
      return;
    }
    try (RecordWriter closing = records) {
      closing.flush();
      channel.force(true);
    } catch (IOException e) {
      throw new IOException(file + ": cannot close: " + e.getMessage(), e);
    }
  }

  private void write(Event event) throws IOException {
    ensureOpen();
    try {
      records.write(event.toByteArray());
    } catch (IOException e) {
      throw fail("cannot write", e);
    }
  }

  /**
   * A backwards clock step (negative elapsed time) also flushes, so that it cannot hold events back
   * for as long as the step was.
   */
  private void flushIfDue() throws IOException {
    long elapsed = Duration.between(lastFlush, options.clock().instant()).toNanos();
    if (elapsed >= flushIntervalNanos || elapsed < 0) {
      flush();
    }
  }

  private IOException fail(String what, IOException e) {
    failure = new IOException(file + ": " + what + ": " + e.getMessage(), e);
    return failure;
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IllegalStateException(file + ": writer is closed");
    }
    if (failure != null) {
      // After a failed write the buffer may hold part of a record: appending more would corrupt it.
      throw new IOException(file + ": an earlier write failed: " + failure.getMessage(), failure);
    }
  }

  private void closeQuietly(Exception cause) {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static void checkTag(String tag) {
    if (tag == null || tag.isEmpty()) {
      throw new IllegalArgumentException(
          "tag: " + (tag == null ? "null" : "''") + " (expected a name)");
    }
  }

  /**
   * TensorFlow's wall time: whole microseconds, divided as a double ({@code NowMicros() / 1e6}).
   */
  static double wallTime(Instant instant) {
    long micros =
        Math.addExact(
            Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    return micros / 1e6;
  }
}
