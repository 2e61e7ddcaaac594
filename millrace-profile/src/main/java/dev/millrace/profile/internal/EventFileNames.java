package dev.millrace.profile.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Names and creates event files the way TensorFlow's {@code EventsWriter} does. */
public final class EventFileNames {
  /** Two writers starting in the same second on one machine get suffixes; more is a bug. */
  static final int MAX_SUFFIX = 1000;

  private EventFileNames() {}

  /**
   * An event file just created, open for writing.
   *
   * @param file its path
   * @param channel open for writing, positioned at 0
   */
  public record Created(Path file, FileChannel channel) {}

  /**
   * TensorFlow's name: {@code events.out.tfevents.%010d.<hostname>}, seconds zero-padded to ten
   * digits so that names sort by time; TensorBoard reads every file whose name holds {@code
   * tfevents}.
   */
  public static String name(long epochSeconds, String hostname, String suffix) {
    if (epochSeconds < 0) {
      throw new IllegalArgumentException("epochSeconds: " + epochSeconds + " (expected >= 0)");
    }
    return String.format(
        Locale.ROOT, "events.out.tfevents.%010d.%s%s", epochSeconds, hostname, suffix);
  }

  /**
   * Creates a new event file in {@code logdir}. The name is created atomically ({@code
   * CREATE_NEW}), so an existing file is never appended to or overwritten: if the name is taken,
   * the suffixes {@code .1}, {@code .2}, … are tried, which sort after the plain name as
   * TensorBoard reads files in name order.
   */
  public static Created create(Path logdir, long epochSeconds, String hostname) throws IOException {
    for (int n = 0; n <= MAX_SUFFIX; n++) {
      Path file = logdir.resolve(name(epochSeconds, hostname, n == 0 ? "" : "." + n));
      try {
        FileChannel channel =
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Created(file, channel);
      } catch (FileAlreadyExistsException taken) {
        // Another writer started in the same second: try the next suffix.
      }
    }
    throw new IOException(
        logdir.resolve(name(epochSeconds, hostname, ""))
            + ": this name and suffixes .1 to ."
            + MAX_SUFFIX
            + " all exist");
  }
}
