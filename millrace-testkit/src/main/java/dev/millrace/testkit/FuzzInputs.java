package dev.millrace.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What the fuzz tests share: turning the fuzzer's bytes into the files and streams the readers
 * take.
 *
 * <p>Every fuzz input starts with one control byte that chooses how the rest is used (a
 * compression, whether to repair a checksum, ...), so that a seed in a corpus folder is a real file
 * with one byte in front, and a finding replays as a plain file.
 */
public final class FuzzInputs {
  private static Path dir;

  private FuzzInputs() {}

  /** The control byte: the input's first byte, or 0 for an empty input. */
  public static int control(byte[] input) {
    return input.length == 0 ? 0 : input[0] & 0xff;
  }

  /** The input after its control byte. */
  public static byte[] payload(byte[] input) {
    return input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
  }

  /**
   * Writes {@code bytes} to the file {@code name} in a folder of this JVM's own (deleted at exit),
   * replacing the file an earlier input left: readers that take a path get one file per name, not
   * one per input. The folder is in memory ({@code /dev/shm}) where there is one: a fuzzer writes
   * the file thousands of times a second.
   */
  public static synchronized Path file(String name, byte[] bytes) {
    try {
      if (dir == null) {
        Path shm = Path.of("/dev/shm");
        dir =
            Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "millrace-fuzz-")
                : Files.createTempDirectory("millrace-fuzz-");
        dir.toFile().deleteOnExit();
      }
      Path file = dir.resolve(name);
      Files.write(file, bytes);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code data} as one gzip member. */
  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code data} as one zlib stream (RFC 1950, what TensorFlow's ZLIB compression writes). */
  public static byte[] zlib(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
