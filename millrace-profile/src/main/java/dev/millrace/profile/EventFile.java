package dev.millrace.profile;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What an event file holds, as far as scalars go.
 *
 * @param file the file read
 * @param fileVersion the first event's {@code file_version} ({@code "brain.Event:2"}), or empty if
 *     the file has none
 * @param events how many events were read, the file-version event included
 * @param scalars every scalar in file order, both forms
 * @param sessionStarts the steps of {@code SessionLog} START events, in file order: where a run was
 *     resumed
 * @param truncatedTail true if the file ends inside a record: the writer was still writing, or was
 *     killed; the records before it are complete
 */
public record EventFile(
    Path file,
    String fileVersion,
    long events,
    List<ScalarEvent> scalars,
    List<Long> sessionStarts,
    boolean truncatedTail) {
  public EventFile {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(fileVersion, "fileVersion");
    scalars = List.copyOf(scalars);
    sessionStarts = List.copyOf(sessionStarts);
  }
}
