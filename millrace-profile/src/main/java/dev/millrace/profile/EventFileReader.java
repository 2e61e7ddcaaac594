package dev.millrace.profile;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.profile.internal.ScalarValues;
import dev.millrace.profile.internal.ScalarValues.MalformedScalarException;
import dev.millrace.profile.proto.Event;
import dev.millrace.profile.proto.SessionLog;
import dev.millrace.profile.proto.Summary;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordException;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.RecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TensorBoard event files, ours and TensorFlow's, back into scalar rows.
 *
 * <p>A file that ends inside a record is read up to that record and marked {@link
 * EventFile#truncatedTail()}: TensorBoard treats it as a file still being written, and it is what a
 * killed run leaves. A bad length or data CRC anywhere, a record that is not a {@code
 * tensorflow.Event}, or a scalar TensorBoard could not show is an {@link IOException} whose message
 * reads {@code file@offset (record n): problem}. (TensorBoard itself skips a record with a bad data
 * CRC; here a damaged file is reported rather than silently read short.)
 *
 * <p>Memory grows with the file: one row per scalar logged, a few dozen bytes each.
 */
public final class EventFileReader {
  /**
   * How RecordReader's problem text starts when a file ends inside a record, header or body (the
   * records module's corruption test pins these messages; our truncation test would catch a
   * change).
   */
  private static final String TRUNCATION = "truncated record";

  private EventFileReader() {}

  /** The scalars of {@code file}, in file order, both forms. */
  public static List<ScalarEvent> readScalars(Path file) throws IOException {
    return read(file).scalars();
  }

  /** Everything this reader understands in {@code file}. */
  public static EventFile read(Path file) throws IOException {
    String fileVersion = "";
    long events = 0;
    List<ScalarEvent> scalars = new ArrayList<>();
    List<Long> sessionStarts = new ArrayList<>();
    boolean truncated = false;
    // Event files are never compressed, whatever their name ends with.
    try (RecordReader r = RecordReader.open(file, Compression.NONE, CorruptRecordPolicy.FAIL)) {
      while (true) {
        try {
          if (!r.next()) {
            break;
          }
        } catch (CorruptRecordException e) {
          if (e.problem().startsWith(TRUNCATION)) {
            truncated = true;
            break;
          }
          throw e;
        }
        Event event = parse(r);
        events++;
        switch (event.getWhatCase()) {
          case FILE_VERSION ->
              fileVersion = fileVersion.isEmpty() ? event.getFileVersion() : fileVersion;
          case SESSION_LOG -> {
            if (event.getSessionLog().getStatus() == SessionLog.SessionStatus.START) {
              sessionStarts.add(event.getStep());
            }
          }
          case SUMMARY -> addScalars(r, event, scalars);
          default -> {
            // Graphs, run metadata and other payloads carry no scalars.
          }
        }
      }
    }
    return new EventFile(file, fileVersion, events, scalars, sessionStarts, truncated);
  }

  private static Event parse(RecordReader r) throws IOException {
    try {
      return Event.parser().parseFrom(r.array(), r.offset(), r.length());
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(where(r) + ": not a tensorflow.Event (" + e.getMessage() + ")", e);
    }
  }

  private static void addScalars(RecordReader r, Event event, List<ScalarEvent> out)
      throws IOException {
    for (Summary.Value v : event.getSummary().getValueList()) {
      if (ScalarValues.isScalar(v)) {
        try {
          out.add(
              new ScalarEvent(
                  v.getTag(), event.getStep(), event.getWallTime(), ScalarValues.value(v)));
        } catch (MalformedScalarException e) {
          throw new IOException(where(r) + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private static String where(RecordReader r) {
    return r.file() + "@" + r.recordOffset() + " (record " + r.recordIndex() + ")";
  }
}
