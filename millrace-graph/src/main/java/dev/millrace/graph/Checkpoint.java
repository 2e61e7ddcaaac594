package dev.millrace.graph;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Saves and restores every variable of a session's graph. The file format (all integers
 * little-endian):
 *
 * <pre>
 * magic    8 bytes  "MRCKPT" 0x00 0x01   (the last byte is the format version, 1)
 * count    u32      number of variables
 * count times:
 *   nameLen u16, name (UTF-8)          the VariableV2 operation's name
 *   dtype   u8                          TensorFlow's DataType number (1 = float, 2 = double, ...)
 *   rank    u8, then rank x i64 dims
 *   bytes   u64, then the elements      row-major, little-endian
 * crc      u32      CRC-32C (Castagnoli) of every byte before it
 * </pre>
 *
 * <p>Files are written under a temporary name in the target directory, forced to disk, then renamed
 * over the target, so a reader never sees a partial checkpoint. Restoring checks the CRC first: a
 * damaged file is an {@link IOException} naming it, and no variable is changed.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = {'M', 'R', 'C', 'K', 'P', 'T', 0, 1};

  /** The system property that overrides {@link #DEFAULT_MAX_TENSOR_BYTES}. */
  public static final String MAX_TENSOR_BYTES_PROPERTY = "millrace.checkpoint.maxTensorBytes";

  /** The largest tensor {@link #read} accepts by default: 1 GiB. */
  public static final long DEFAULT_MAX_TENSOR_BYTES = 1L << 30;

  /** Name length, dtype, rank and data size of a scalar with an empty name. */
  private static final int MIN_VARIABLE_BYTES = 2 + 1 + 1 + 8;

  private Checkpoint() {}

  /** Writes every variable of the session's graph to {@code file} (atomically). */
  public static void save(Session session, Path file) throws IOException {
    byte[] body = toBytes(session);
    Path dir = file.toAbsolutePath().getParent();
    // Hidden, so that a run killed while saving leaves no visible partial file.
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(body);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes every variable of the session's graph to {@code out}, in the format above: for callers
   * that choose where and how the bytes are stored (a training checkpoint commits them with its own
   * atomic writer). Every variable is read before the first byte is written.
   */
  public static void write(Session session, OutputStream out) throws IOException {
    out.write(toBytes(session));
  }

  private static byte[] toBytes(Session session) {
    Map<String, Tensor> values = new java.util.LinkedHashMap<>();
    for (Variable<?> v : session.graph().variables()) {
      if (v.dtype() == DType.STRING) {
        throw new IllegalArgumentException("cannot checkpoint string variable '" + v.name() + "'");
      }
      values.put(v.name(), session.readVariable(v));
    }
    return encode(values);
  }

  /**
   * Sets every variable of the session's graph from {@code file}. Fails with an IOException naming
   * the file if it is damaged, or lacks a variable, or holds one with another type or shape.
   * Variables in the file that the graph lacks are ignored.
   */
  public static void restore(Session session, Path file) throws IOException {
    Map<String, Tensor> values = read(file);
    Map<Variable<?>, Tensor> assignments = new HashMap<>();
    for (Variable<?> v : session.graph().variables()) {
      Tensor t = values.get(v.name());
      if (t == null) {
        throw new IOException(file + ": no value for variable '" + v.name() + "'");
      }
      if (t.dtype() != v.dtype() || !t.shape().isCompatibleWith(v.shape())) {
        throw new IOException(
            file
                + ": variable '"
                + v.name()
                + "' is "
                + t.dtype()
                + " "
                + t.shape()
                + " in the file but "
                + v.dtype()
                + " "
                + v.shape()
                + " in the graph");
      }
      assignments.put(v, t);
    }
    assignments.forEach(session::writeVariable);
  }

  /**
   * The variables stored in {@code file}, by name, after checking its CRC. Every size in the file
   * is checked against the bytes that follow it, and each tensor against the limit set by the
   * system property {@value #MAX_TENSOR_BYTES_PROPERTY} (bytes; {@value #DEFAULT_MAX_TENSOR_BYTES}
   * when unset), before anything is allocated: a damaged or hostile file is an IOException naming
   * it and the byte offset, never an OutOfMemoryError. Its message is one line: a variable's name
   * from the file is shown with its control characters escaped (a newline in a name once split the
   * message; found by fuzzing).
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    return read(file, maxTensorBytes());
  }

  static Map<String, Tensor> read(Path file, long maxTensorBytes) throws IOException {
    byte[] data = Files.readAllBytes(file);
    if (data.length < MAGIC.length + 8) {
      throw new IOException(file + ": too short for a checkpoint (" + data.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int stored = b.getInt(data.length - 4);
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    if ((int) crc.getValue() != stored) {
      throw new IOException(
          String.format(
              "%s: checksum mismatch (stored 0x%08x, computed 0x%08x): the file is damaged",
              file, stored, (int) crc.getValue()));
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (data[i] != MAGIC[i]) {
        throw new IOException(file + "@" + i + ": not a Millrace checkpoint (bad magic)");
      }
    }
    // The CRC is no defence against a file written to lie; it only proves the bytes are intact.
    b.position(MAGIC.length).limit(data.length - 4);
    long count = Integer.toUnsignedLong(b.getInt());
    if (count > b.remaining() / MIN_VARIABLE_BYTES) {
      throw new IOException(
          file
              + "@"
              + MAGIC.length
              + ": "
              + count
              + " variables cannot fit in the "
              + b.remaining()
              + " bytes that follow");
    }
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    try {
      for (int i = 0; i < count; i++) {
        readVariable(file, b, i, maxTensorBytes, out);
      }
    } catch (RuntimeException e) {
      throw new IOException(file + "@" + b.position() + ": malformed checkpoint: " + e, e);
    }
    return out;
  }

  /** Reads the {@code i}-th variable at {@code b}'s position, checking its size first. */
  private static void readVariable(
      Path file, ByteBuffer b, int i, long maxTensorBytes, Map<String, Tensor> out)
      throws IOException {
    byte[] nameBytes = new byte[Short.toUnsignedInt(b.getShort())]; // at most 64 KiB
    b.get(nameBytes);
    String name = new String(nameBytes, StandardCharsets.UTF_8);
    int typeAt = b.position();
    DType dtype = DType.fromTensorflowNumber(Byte.toUnsignedInt(b.get()));
    if (dtype == DType.STRING) {
      throw new IOException(where(file, typeAt, i, name) + "string tensors are not checkpointed");
    }
    long[] dims = new long[Byte.toUnsignedInt(b.get())]; // at most 255
    long elements = 1;
    for (int d = 0; d < dims.length; d++) {
      int dimAt = b.position();
      dims[d] = b.getLong();
      if (dims[d] < 0) {
        throw new IOException(where(file, dimAt, i, name) + "dimension " + d + " is " + dims[d]);
      }
      elements = multiplyOrMax(elements, dims[d]);
    }
    int sizeAt = b.position();
    long bytes = b.getLong();
    long expected = multiplyOrMax(elements, dtype.byteSize());
    String what = dtype + " " + java.util.Arrays.toString(dims);
    if (bytes != expected) {
      throw new IOException(
          where(file, sizeAt, i, name)
              + "data size "
              + Long.toUnsignedString(bytes)
              + " does not match "
              + what
              + (expected == Long.MAX_VALUE ? "" : " (" + expected + " bytes)"));
    }
    if (bytes > b.remaining()) {
      throw new IOException(
          where(file, sizeAt, i, name)
              + what
              + " needs "
              + bytes
              + " bytes, only "
              + b.remaining()
              + " follow");
    }
    if (bytes > maxTensorBytes) {
      throw new IOException(
          where(file, sizeAt, i, name)
              + what
              + " is "
              + bytes
              + " bytes, more than the limit of "
              + maxTensorBytes
              + " (system property "
              + MAX_TENSOR_BYTES_PROPERTY
              + ")");
    }
    Tensor t = Tensor.zeros(dtype, Shape.of(dims));
    copy(MemorySegment.ofArray(b.array()).asSlice(b.position(), bytes), t.data(), dtype, true);
    b.position(b.position() + (int) bytes);
    out.put(name, t);
  }

  private static String where(Path file, int offset, int variable, String name) {
    return file + "@" + offset + " (variable " + variable + " '" + shown(name) + "'): ";
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

  /** The product, or {@code Long.MAX_VALUE} when it overflows: larger than any file either way. */
  private static long multiplyOrMax(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long maxTensorBytes() {
    String value = System.getProperty(MAX_TENSOR_BYTES_PROPERTY);
    if (value == null || value.isBlank()) {
      return DEFAULT_MAX_TENSOR_BYTES;
    }
    try {
      long n = Long.parseLong(value.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        MAX_TENSOR_BYTES_PROPERTY + "=" + value + " (expected a byte count >= 0)");
  }

  private static byte[] encode(Map<String, Tensor> values) {
    long size = MAGIC.length + 4 + 4;
    for (Map.Entry<String, Tensor> e : values.entrySet()) {
      size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 2;
      size += 8L * e.getValue().shape().rank() + 8 + e.getValue().data().byteSize();
    }
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(values.size());
    for (Map.Entry<String, Tensor> e : values.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      Tensor t = e.getValue();
      b.putShort((short) name.length).put(name);
      b.put((byte) t.dtype().tensorflowNumber()).put((byte) t.shape().rank());
      for (long d : t.shape().dims()) {
        b.putLong(d);
      }
      long bytes = t.data().byteSize();
      b.putLong(bytes);
      copy(
          t.data(),
          MemorySegment.ofArray(b.array()).asSlice(b.position(), bytes),
          t.dtype(),
          false);
      b.position(b.position() + (int) bytes);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Copies elements between native order and little-endian. */
  private static void copy(MemorySegment src, MemorySegment dst, DType type, boolean fromFile) {
    int width = type.byteSize();
    ValueLayout nat;
    if (width == 4) {
      nat = ValueLayout.JAVA_INT_UNALIGNED;
    } else if (width == 8) {
      nat = ValueLayout.JAVA_LONG_UNALIGNED;
    } else {
      MemorySegment.copy(src, 0, dst, 0, src.byteSize());
      return;
    }
    ValueLayout le = nat.withOrder(ByteOrder.LITTLE_ENDIAN);
    long count = src.byteSize() / width;
    MemorySegment.copy(src, fromFile ? le : nat, 0, dst, fromFile ? nat : le, 0, count);
  }
}
