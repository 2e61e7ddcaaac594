package dev.millrace.records;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that appear whole or not at all: written under a hidden temporary name in the target's
 * folder, then renamed. A crash or an error leaves no partial file under the real name.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes one file atomically; on any failure the temporary file is removed. */
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Creates an empty hidden temporary file beside {@code target} to write it under. The name is
   * unique, so two writers of the same target never share a temporary file.
   */
  public static Path createTemporaryFor(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
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

  /** Renames a finished temporary file to its real name, replacing any older file of that name. */
  public static void commit(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
