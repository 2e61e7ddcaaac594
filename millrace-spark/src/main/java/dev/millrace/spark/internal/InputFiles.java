package dev.millrace.spark.internal;

import dev.millrace.records.Manifest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a read covers. A path is a file, a folder (its data files, not its sub-folders) or a
 * glob in its last name ({@code /data/train-*.tfrecord}). A folder's data files are the files whose
 * names start with neither {@code .} nor {@code _} (hidden files and the temporary files of writers
 * in progress, Spark's {@code _SUCCESS}), other than a converter's {@code manifest.json}.
 *
 * <p>Paths are on a file system that every executor sees at the same place: local in local mode, a
 * shared mount on a cluster; {@code file:} URIs are accepted.
 */
public final class InputFiles {
  private InputFiles() {}

  /** The files, each path's in name order, in the order of the paths. */
  public static List<Path> list(List<String> paths) throws IOException {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException(
          "no path given: load(\"/data/train\") or option(\"path\", ...)");
    }
    List<Path> files = new ArrayList<>();
    for (String p : paths) {
      files.addAll(listOne(toPath(p)));
    }
    return files;
  }

  /** A path string or a {@code file:} URI as a local path. */
  public static Path toPath(String path) {
    if (path.contains(":/") && !path.startsWith("/")) {
      URI uri = URI.create(path);
      if (!"file".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException(
            path
                + ": scheme '"
                + uri.getScheme()
                + "' is not supported (the tfrecord source reads and writes local or shared file"
                + " systems: a plain path or a file: URI)");
      }
      return Path.of(uri);
    }
    return Path.of(path);
  }

  /** Whether a file in a data folder holds data: not hidden, not Spark's, not a manifest. */
  public static boolean isDataFile(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".")
        && !name.startsWith("_")
        && !name.equals(Manifest.FILE_NAME)
        && Files.isRegularFile(file);
  }

  private static List<Path> listOne(Path path) throws IOException {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    List<Path> out = new ArrayList<>();
    if (isGlob(name)) {
      Path dir = path.toAbsolutePath().getParent();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, name)) {
        for (Path p : entries) {
          if (isDataFile(p)) {
            out.add(p);
          }
        }
      }
      if (out.isEmpty()) {
        throw new NoSuchFileException(path.toString(), null, "no data file matches this glob");
      }
    } else if (Files.isDirectory(path)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path p : entries) {
          if (isDataFile(p)) {
            out.add(p);
          }
        }
      }
    } else if (Files.isRegularFile(path)) {
      out.add(path);
    } else {
      throw new NoSuchFileException(path.toString(), null, "no such file or folder");
    }
    out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return out;
  }

  private static boolean isGlob(String name) {
    return name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }
}
