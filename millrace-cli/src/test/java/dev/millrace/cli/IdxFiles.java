package dev.millrace.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small MNIST-format IDX files for tests. */
final class IdxFiles {
  private IdxFiles() {}

  /** Writes {@code <split>-images-idx3-ubyte.gz} and labels with {@code count} 28x28 images. */
  static void write(Path dir, String split, int count) throws IOException {
    Files.createDirectories(dir);
    try (DataOutputStream out = gzip(dir.resolve(split + "-images-idx3-ubyte.gz"))) {
      out.writeInt(0x00000803);
      out.writeInt(count);
      out.writeInt(28);
      out.writeInt(28);
      for (int i = 0; i < count; i++) {
        for (int p = 0; p < 28 * 28; p++) {
          out.writeByte((i * 31 + p) & 0xff);
        }
      }
    }
    try (DataOutputStream out = gzip(dir.resolve(split + "-labels-idx1-ubyte.gz"))) {
      out.writeInt(0x00000801);
      out.writeInt(count);
      for (int i = 0; i < count; i++) {
        out.writeByte(i % 10);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(new GZIPOutputStream(raw));
  }
}
