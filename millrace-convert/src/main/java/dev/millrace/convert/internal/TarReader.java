package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streams the entries of a {@code .tar.gz} archive without extracting anything. Every entry name
 * (and link target) is checked as an extractor would need it checked: an absolute path or a {@code
 * ..} segment is refused, since an archive that tries to escape its folder is not to be trusted
 * with anything else either. Entry contents are read into memory only up to a size limit.
 */
final class TarReader implements Closeable {
  private final Path archive;
  private final TarArchiveInputStream tar;

  private TarReader(Path archive, TarArchiveInputStream tar) {
    this.archive = archive;
    this.tar = tar;
  }

  static TarReader open(Path archive) throws IOException {
    InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
    try {
      return new TarReader(archive, new TarArchiveInputStream(new GZIPInputStream(file, 1 << 16)));
    } catch (ZipException | EOFException e) {
      file.close();
      // GZIPInputStream's EOFException has no message: the file is shorter than a gzip header.
      String why =
          e instanceof EOFException ? "the file ends inside the gzip header" : e.getMessage();
      throw BadInputException.of(archive, "not a gzip-compressed tar archive: " + why, e);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** The next entry, its name checked; null at the end of the archive. */
  TarArchiveEntry next() throws IOException {
    TarArchiveEntry entry;
    try {
      entry = tar.getNextEntry();
    } catch (InterruptedIOException | ClosedByInterruptException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      // commons-compress reports a damaged header (and gzip a damaged stream) this way.
      throw BadInputException.of(archive, "damaged archive: " + e.getMessage(), e);
    }
    if (entry == null) {
      return null;
    }
    if (escapes(entry.getName())) {
      throw BadInputException.inEntry(
          archive, entry.getName(), "entry name escapes the archive's folder (absolute or '..')");
    }
    if ((entry.isSymbolicLink() || entry.isLink()) && escapes(entry.getLinkName())) {
      throw BadInputException.inEntry(
          archive,
          entry.getName(),
          "link target '" + entry.getLinkName() + "' escapes the archive's folder");
    }
    return entry;
  }

  /**
   * Whether the entry is a symbolic or hard link. commons-compress counts links among files ({@link
   * TarArchiveEntry#isFile()}), and their data is empty: read as a batch, a link would look like a
   * truncated one.
   */
  static boolean isLink(TarArchiveEntry entry) {
    return entry.isSymbolicLink() || entry.isLink();
  }

  /**
   * The error for a link where the data set's file belongs: the archives as distributed hold the
   * files themselves, and a link is never followed, even to another entry.
   */
  static BadInputException linkNotFile(Path archive, TarArchiveEntry entry) {
    return BadInputException.inEntry(
        archive,
        entry.getName(),
        (entry.isSymbolicLink() ? "symbolic" : "hard")
            + " link to '"
            + entry.getLinkName()
            + "' where the file itself belongs (links are not followed)");
  }

  /** Reads the current entry whole; refuses entries larger than {@code maxBytes}. */
  byte[] read(TarArchiveEntry entry, long maxBytes) throws IOException {
    long size = entry.getSize();
    if (size > maxBytes) {
      throw BadInputException.inEntry(
          archive,
          entry.getName(),
          "entry of " + size + " bytes is larger than the " + maxBytes + "-byte limit");
    }
    byte[] bytes;
    try {
      bytes = tar.readNBytes((int) size);
    } catch (InterruptedIOException | ClosedByInterruptException e) {
      throw e;
    } catch (IOException e) {
      throw BadInputException.inEntry(
          archive, entry.getName(), "damaged archive: " + e.getMessage());
    }
    if (bytes.length < size) {
      throw BadInputException.inEntry(
          archive,
          entry.getName(),
          bytes.length,
          "archive truncated: entry has " + bytes.length + " of its " + size + " bytes");
    }
    return bytes;
  }

  /**
   * The last segment of an entry name: {@code cifar-10-batches-py/data_batch_1} → {@code
   * data_batch_1}.
   */
  static String baseName(String entryName) {
    String n = entryName.endsWith("/") ? entryName.substring(0, entryName.length() - 1) : entryName;
    return n.substring(n.lastIndexOf('/') + 1);
  }

  /** An absolute path, a Windows drive, or a {@code ..} segment (with either slash). */
  static boolean escapes(String name) {
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      return true;
    }
    for (String segment : name.split("[/\\\\]")) {
      if (segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
