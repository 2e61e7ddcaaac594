package dev.millrace.profile;

import dev.millrace.profile.internal.report.ReportPage;
import dev.millrace.records.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a {@link ReportData} as one self-contained HTML page: the verdict and recommendations at
 * the top, then the runs, charts (step-time breakdown, throughput, utilisation, GPU) and tables
 * (pipeline stages, session ops, epochs). The chart library (uPlot) and all styles are inside the
 * page, so it opens from a file, offline, and can be mailed or archived as it is.
 *
 * <p>Series are cut down to at most 2,000 points (each the mean of consecutive steps or samples),
 * so a page stays a few hundred kilobytes however long the run was.
 */
public final class HtmlReport {
  /** The page's file name inside the report folder. */
  public static final String INDEX = "index.html";

  private HtmlReport() {}

  /**
   * Writes {@code data} to {@code dir/index.html}, creating {@code dir} as needed. The file appears
   * whole or not at all (it is written under a temporary name and renamed), replacing an older
   * report of the same name.
   *
   * @return the page written
   */
  public static Path write(ReportData data, Path dir) throws IOException {
    byte[] page = render(data).getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(dir);
    Path target = dir.resolve(INDEX);
    Path tmp = AtomicFiles.createTemporaryFor(target);
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(page);
      }
      makeReadable(tmp);
      AtomicFiles.commit(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return target;
  }

  /** The page for {@code data}, as {@link #write} would write it. */
  public static String render(ReportData data) {
    return ReportPage.render(data);
  }

  /**
   * Temporary files are created readable by their owner only; a report is meant to be shared (or
   * served by a web server running as another user), so it gets the permissions of a plain file.
   */
  private static void makeReadable(Path file) throws IOException {
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (posix != null) {
      posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
