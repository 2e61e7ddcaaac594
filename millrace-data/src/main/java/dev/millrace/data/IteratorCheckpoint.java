package dev.millrace.data;

import dev.millrace.records.SizeLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An iterator's position, small enough to store with every model checkpoint: the pipeline's
 * fingerprint, its seed, the number of elements delivered, and the lengths of the epochs seen by
 * top-level {@code repeat} stages (run-length encoded: usually a few dozen bytes in all).
 *
 * <p>Restoring re-opens the pipeline with the same seed and skips to the position. Skipping pushes
 * down through the stages: maps, batches and prefetches do not run for skipped elements, whole
 * epochs are skipped by their recorded lengths, and only stages whose output depends on the
 * elements themselves (shuffle, filter, ignoreErrors) replay their input, within the current epoch.
 */
public final class IteratorCheckpoint {
  private static final int MAGIC = 0x4D52_4350; // "MRCP"
  private static final int VERSION = 1;

  /** The system property that overrides {@link #DEFAULT_MAX_EPOCHS}. */
  public static final String MAX_EPOCHS_PROPERTY = "millrace.iteratorCheckpoint.maxEpochs";

  /** The default of {@link #maxEpochs()}: 2^24 epochs, 128 MiB of lengths. */
  public static final long DEFAULT_MAX_EPOCHS = 1L << 24;

  private final long fingerprint;
  private final long seed;
  private final long position;
  private final Map<String, long[]> epochLengths;

  public IteratorCheckpoint(
      long fingerprint, long seed, long position, Map<String, long[]> epochLengths) {
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0, got " + position);
    }
    this.fingerprint = fingerprint;
    this.seed = seed;
    this.position = position;
    Map<String, long[]> copy = new LinkedHashMap<>();
    epochLengths.forEach((k, v) -> copy.put(k, v.clone()));
    this.epochLengths = copy;
  }

  /** Elements delivered before the checkpoint. */
  public long position() {
    return position;
  }

  /** The seed the iterator ran with. */
  public long seed() {
    return seed;
  }

  /** A hash of the pipeline's description; restoring into another pipeline fails. */
  public long fingerprint() {
    return fingerprint;
  }

  /** Epoch lengths by repeat stage name (copies). */
  public Map<String, long[]> epochLengths() {
    Map<String, long[]> copy = new LinkedHashMap<>();
    epochLengths.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeByte(VERSION);
      out.writeLong(fingerprint);
      out.writeLong(seed);
      out.writeLong(position);
      out.writeInt(epochLengths.size());
      for (Map.Entry<String, long[]> e : epochLengths.entrySet()) {
        out.writeUTF(e.getKey());
        long[] v = e.getValue();
        int runs = 0;
        for (int i = 0; i < v.length; i++) {
          if (i == 0 || v[i] != v[i - 1]) {
            runs++;
          }
        }
        out.writeInt(runs);
        for (int i = 0; i < v.length; ) {
          int j = i;
          while (j < v.length && v[j] == v[i]) {
            j++;
          }
          out.writeLong(v[i]);
          out.writeInt(j - i);
          i = j;
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #toBytes()}'s output. Every count is checked against the bytes that follow it
   * before an array is made, and the decoded epoch lengths of a stage against {@link #maxEpochs()}:
   * the run-length encoding would otherwise let a few bytes claim gigabytes.
   *
   * @throws IllegalArgumentException if the bytes are not a checkpoint; the message, one line,
   *     gives the byte offset of the problem (a stage name in it has its control characters
   *     escaped)
   */
  public static IteratorCheckpoint fromBytes(byte[] data) {
    return fromBytes(data, maxEpochs());
  }

  static IteratorCheckpoint fromBytes(byte[] data, long maxEpochs) {
    return decode(data, "iterator checkpoint", maxEpochs);
  }

  /**
   * The most epoch lengths {@link #fromBytes} accepts for one repeat stage: {@value
   * #DEFAULT_MAX_EPOCHS} (8 bytes each), or the value of the system property {@value
   * #MAX_EPOCHS_PROPERTY}.
   */
  public static long maxEpochs() {
    return Math.min(
        SizeLimits.fromProperty(MAX_EPOCHS_PROPERTY, DEFAULT_MAX_EPOCHS, "a count"),
        Integer.MAX_VALUE - 8) /* a Java array's limit */;
  }

  /** {@code source} names the bytes in messages: a file, or just what they should be. */
  private static IteratorCheckpoint decode(byte[] data, String source, long maxEpochs) {
    Reader in = new Reader(data, source);
    try {
      int magic = in.readInt();
      int version = in.readUnsignedByte();
      if (magic != MAGIC || version != VERSION) {
        throw in.problem(
            0,
            "not an iterator checkpoint (magic "
                + Integer.toHexString(magic)
                + ", version "
                + version
                + "; expected "
                + Integer.toHexString(MAGIC)
                + ", "
                + VERSION
                + ")");
      }
      long fingerprint = in.readLong();
      long seed = in.readLong();
      long position = in.readLong();
      if (position < 0) {
        throw in.problem(in.offset() - 8, "position " + position + " is negative");
      }
      // A stage takes at least its name's length (2 bytes) and its run count (4).
      int n = in.count(6, "repeat stages");
      Map<String, long[]> lengths = new LinkedHashMap<>();
      for (int k = 0; k < n; k++) {
        String name = in.readUTF();
        lengths.put(name, epochLengths(in, name, maxEpochs));
      }
      return new IteratorCheckpoint(fingerprint, seed, position, lengths);
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          source + "@" + data.length + ": truncated (" + data.length + " bytes)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": malformed (" + e.getMessage() + ")", e);
    }
  }

  /** One stage's run-length encoded epoch lengths, its size checked before it is expanded. */
  private static long[] epochLengths(Reader in, String name, long max) throws IOException {
    int runs = in.count(8 + 4, "runs of stage '" + shown(name) + "'");
    long[] values = new long[runs];
    int[] counts = new int[runs];
    long total = 0;
    for (int r = 0; r < runs; r++) {
      values[r] = in.readLong();
      counts[r] = in.readInt();
      if (counts[r] < 0) {
        throw in.problem(
            in.offset() - 4,
            "run " + r + " of stage '" + shown(name) + "' repeats " + counts[r] + " times");
      }
      total += counts[r];
      if (total > max) {
        throw in.problem(
            in.offset() - 4,
            "stage '"
                + shown(name)
                + "' claims more than "
                + max
                + " epochs, the limit (system property "
                + MAX_EPOCHS_PROPERTY
                + ")");
      }
    }
    long[] v = new long[(int) total];
    for (int r = 0, at = 0; r < runs; r++) {
      java.util.Arrays.fill(v, at, at + counts[r], values[r]);
      at += counts[r];
    }
    return v;
  }

  /**
   * A name read from the file, as messages show it: control characters escaped ({@code \\n}, {@code
   * \\u0000}) so that the message stays on one line, and cut after 80 characters.
   */
  private static String shown(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length() && i < 80; i++) {
      char c = name.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (Character.isISOControl(c)
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return name.length() > 80 ? sb.append("…").toString() : sb.toString();
  }

  /** The checkpoint's bytes, with the offset and the bytes left that messages and checks need. */
  private static final class Reader extends DataInputStream {
    private final int length;
    private final String source;

    Reader(byte[] data, String source) {
      super(new ByteArrayInputStream(data));
      this.length = data.length;
      this.source = source;
    }

    int offset() throws IOException {
      return length - available(); // exact for a byte array
    }

    /** A count of items of at least {@code minBytes} each, checked against the bytes left. */
    int count(int minBytes, String what) throws IOException {
      int n = readInt();
      if (n < 0 || n > available() / minBytes) {
        throw problem(
            offset() - 4,
            n + " " + what + " cannot fit in the " + available() + " bytes that follow");
      }
      return n;
    }

    IllegalArgumentException problem(int offset, String problem) {
      return new IllegalArgumentException(source + "@" + offset + ": " + problem);
    }
  }

  /** Writes the checkpoint to {@code file}, atomically (a temporary file, then a rename). */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, toBytes());
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Reads a checkpoint {@link #write} wrote.
   *
   * @throws IOException if the file cannot be read or is not a checkpoint; the message names it and
   *     the byte offset of the problem
   */
  public static IteratorCheckpoint read(Path file) throws IOException {
    byte[] data = Files.readAllBytes(file);
    try {
      return decode(data, file.toString(), maxEpochs());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "IteratorCheckpoint{position="
        + position
        + ", seed="
        + seed
        + ", fingerprint="
        + Long.toHexString(fingerprint)
        + "}";
  }
}
