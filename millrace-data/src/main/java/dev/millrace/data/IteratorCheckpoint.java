package dev.millrace.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
   * Reads {@link #toBytes()}'s output.
   *
   * @throws IllegalArgumentException if the bytes are not a checkpoint
   */
  public static IteratorCheckpoint fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int magic = in.readInt();
      int version = in.readUnsignedByte();
      if (magic != MAGIC || version != VERSION) {
        throw new IllegalArgumentException(
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
      int n = in.readInt();
      Map<String, long[]> lengths = new LinkedHashMap<>();
      for (int k = 0; k < n; k++) {
        String name = in.readUTF();
        int runs = in.readInt();
        long[] values = new long[runs];
        int[] counts = new int[runs];
        long total = 0;
        for (int r = 0; r < runs; r++) {
          values[r] = in.readLong();
          counts[r] = in.readInt();
          total += counts[r];
        }
        long[] v = new long[Math.toIntExact(total)];
        for (int r = 0, at = 0; r < runs; r++) {
          java.util.Arrays.fill(v, at, at + counts[r], values[r]);
          at += counts[r];
        }
        lengths.put(name, v);
      }
      return new IteratorCheckpoint(fingerprint, seed, position, lengths);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "truncated iterator checkpoint (" + data.length + " bytes)", e);
    }
  }

  /** Writes the checkpoint to {@code file}, atomically (a temporary file, then a rename). */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, toBytes());
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  public static IteratorCheckpoint read(Path file) throws IOException {
    return fromBytes(Files.readAllBytes(file));
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
