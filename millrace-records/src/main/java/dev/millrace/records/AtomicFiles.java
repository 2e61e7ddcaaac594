package dev.millrace.records;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files that appear whole or not at all: written under a hidden temporary name in the target's
 * folder, forced to disk, then renamed, and the folder forced after the rename. A crash, a {@code
 * kill -9} or an error leaves no partial file under the real name; after a power loss the file is
 * either the old one or the complete new one.
 *
 * <p>A temporary name carries the id of the process writing it ({@code .manifest.json.4711-
 * 8123456.tmp}), so that a later writer can tell the leftovers of a process that died ({@link
 * #removeAbandonedTemporaries}) from the file of a writer still at work.
 */
public final class AtomicFiles {
  /** {@code .<target name>.<pid>-<random>.tmp}, as {@link #createTemporaryFor} names them. */
  private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.(\\d+)-\\d+\\.tmp");

  private AtomicFiles() {}

  /** Writes one file atomically; on any failure the temporary file is removed. */
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Creates an empty hidden temporary file beside {@code target} to write it under. The name is
   * unique, so two writers of the same target never share a temporary file, and carries this
   * process's id.
   */
  public static Path createTemporaryFor(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    long pid = ProcessHandle.current().pid();
    return Files.createTempFile(dir, "." + target.getFileName() + "." + pid + "-", ".tmp");
  }

  /** Writes {@code target} through {@code body}, atomically. */
  public static void write(Path target, Body body) throws IOException {
    Path tmp = createTemporaryFor(target);
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        body.writeTo(out);
      }
      commit(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /**
   * Renames a finished temporary file to its real name, replacing any older file of that name. The
   * file's bytes reach the disk before the rename and the rename before this returns: otherwise a
   * power loss soon after could leave the new name on an empty or half-written file.
   */
  public static void commit(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Forces a folder's entries (names created, renamed or removed in it) to disk. Linux does this
   * for a folder opened for reading; file systems or platforms that refuse (Windows cannot open a
   * folder as a channel) are skipped, since there is nothing more a program can do there.
   */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not supported here: the rename is still atomic, only its durability is the system's.
    }
  }

  /**
   * The id of the process that created {@code file}, when its name is one {@link
   * #createTemporaryFor} gives; empty for any other name.
   */
  public static OptionalLong writerOf(Path file) {
    Matcher m = TEMPORARY.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Whether a process with this id is running (a writer that died has none). */
  public static boolean isRunning(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * Deletes the temporary files in {@code dir} whose writer is no longer running: what a process
   * killed in the middle of a write left behind. A running process's temporary file is never
   * touched, whoever it belongs to; a process id reused by another process keeps a leftover until
   * that process ends, which errs on the safe side.
   *
   * @return how many files were deleted
   */
  public static int removeAbandonedTemporaries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp")) {
      for (Path p : entries) {
        OptionalLong pid = writerOf(p);
        if (pid.isPresent() && !isRunning(pid.getAsLong()) && Files.isRegularFile(p)) {
          try {
            Files.delete(p);
            removed++;
          } catch (NoSuchFileException e) {
            // Another process tidied it up first.
          }
        }
      }
    }
    return removed;
  }
}
