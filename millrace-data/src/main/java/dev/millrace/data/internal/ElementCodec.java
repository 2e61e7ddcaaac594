package dev.millrace.data.internal;

import dev.millrace.data.Batch;
import dev.millrace.data.Features;
import dev.millrace.data.Pair;
import dev.millrace.data.TfRecord;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of an element in a {@code cache(file)}: a tag, then the value. Covers the element types
 * of this package (features, batches, tensors, records, pairs, lists) and boxed numbers, strings
 * and byte arrays.
 */
final class ElementCodec {
  private static final int FEATURES = 1;
  private static final int BATCH = 2;
  private static final int TENSOR = 3;
  private static final int RECORD = 4;
  private static final int LONG = 5;
  private static final int INT = 6;
  private static final int DOUBLE = 7;
  private static final int FLOAT = 8;
  private static final int STRING = 9;
  private static final int BYTES = 10;
  private static final int PAIR = 11;
  private static final int LIST = 12;

  /** A tensor's dtype, rank and, for a scalar, at least one byte of data. */
  private static final int MIN_TENSOR_BYTES = 1 + 1 + 1;

  private ElementCodec() {}

  /** A record's bytes with the offset and the bytes left, which every count is checked against. */
  private static final class Input extends DataInputStream {
    private final int length;

    Input(byte[] data) {
      super(new ByteArrayInputStream(data));
      this.length = data.length;
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

    /** A length-prefixed byte string. */
    byte[] bytes() throws IOException {
      int n = count(1, "bytes");
      return readNBytes(n);
    }

    IOException problem(int offset, String problem) {
      return new IOException("cache element@" + offset + ": " + problem);
    }
  }

  static byte[] encode(Object e) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #encode}'s bytes. Every count and size is checked against the bytes that follow it
   * before anything is allocated (the record holding them is the limit); a damaged or foreign
   * record is an IOException whose message gives the byte offset in the record.
   */
  static Object decode(byte[] data) throws IOException {
    Input in = new Input(data);
    try {
      return read(in);
    } catch (java.io.EOFException e) {
      throw new IOException("cache element@" + data.length + ": truncated", e);
    }
  }

  private static void write(DataOutputStream out, Object e) throws IOException {
    switch (e) {
      case Features f -> {
        out.writeByte(FEATURES);
        out.writeInt(f.size());
        for (int i = 0; i < f.size(); i++) {
          out.writeUTF(f.name(i));
          tensor(out, f.get(i));
        }
      }
      case Batch b -> {
        out.writeByte(BATCH);
        out.writeInt(b.size());
        out.writeInt(b.names().size());
        for (String name : b.names()) {
          out.writeUTF(name);
          tensor(out, b.get(name));
          boolean ragged = b.isRagged(name);
          out.writeBoolean(ragged);
          if (ragged) {
            tensor(out, b.rowSplits(name));
          }
        }
      }
      case Tensor t -> {
        out.writeByte(TENSOR);
        tensor(out, t);
      }
      case TfRecord r -> {
        out.writeByte(RECORD);
        out.writeUTF(r.file().map(Path::toString).orElse(""));
        out.writeLong(r.recordIndex());
        out.writeLong(r.offset());
        byte[] d = r.toByteArray();
        out.writeInt(d.length);
        out.write(d);
      }
      case Long v -> {
        out.writeByte(LONG);
        out.writeLong(v);
      }
      case Integer v -> {
        out.writeByte(INT);
        out.writeInt(v);
      }
      case Double v -> {
        out.writeByte(DOUBLE);
        out.writeDouble(v);
      }
      case Float v -> {
        out.writeByte(FLOAT);
        out.writeFloat(v);
      }
      case String s -> {
        out.writeByte(STRING);
        byte[] d = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(d.length);
        out.write(d);
      }
      case byte[] d -> {
        out.writeByte(BYTES);
        out.writeInt(d.length);
        out.write(d);
      }
      case Pair<?, ?> p -> {
        out.writeByte(PAIR);
        write(out, p.first());
        write(out, p.second());
      }
      case List<?> l -> {
        out.writeByte(LIST);
        out.writeInt(l.size());
        for (Object o : l) {
          write(out, o);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "cache(file) cannot store elements of "
                  + e.getClass().getName()
                  + " (supported: Features, Batch, Tensor, TfRecord, Pair, List, Long, Integer,"
                  + " Double, Float, String, byte[])");
    }
  }

  private static Object read(Input in) throws IOException {
    int tag = in.readUnsignedByte();
    return switch (tag) {
      case FEATURES -> {
        int n = in.count(MIN_TENSOR_BYTES + 2, "features");
        List<String> names = new ArrayList<>(n);
        List<Tensor> tensors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(in.readUTF());
          tensors.add(tensor(in));
        }
        yield Features.of(names, tensors);
      }
      case BATCH -> {
        Batch.Builder b = Batch.builder(in.readInt());
        int n = in.count(MIN_TENSOR_BYTES + 2 + 1, "batch components");
        for (int i = 0; i < n; i++) {
          String name = in.readUTF();
          Tensor t = tensor(in);
          if (in.readBoolean()) {
            b.addRagged(name, t, tensor(in));
          } else {
            b.add(name, t);
          }
        }
        yield b.build();
      }
      case TENSOR -> tensor(in);
      case RECORD -> {
        String file = in.readUTF();
        long index = in.readLong();
        long offset = in.readLong();
        byte[] d = in.bytes();
        yield file.isEmpty() ? TfRecord.of(d) : TfRecord.of(d, Path.of(file), index, offset);
      }
      case LONG -> in.readLong();
      case INT -> in.readInt();
      case DOUBLE -> in.readDouble();
      case FLOAT -> in.readFloat();
      case STRING -> new String(in.bytes(), java.nio.charset.StandardCharsets.UTF_8);
      case BYTES -> in.bytes();
      case PAIR -> new Pair<>(read(in), read(in));
      case LIST -> {
        int n = in.count(1, "list elements"); // each at least its tag
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(read(in));
        }
        yield List.copyOf(l);
      }
      default -> throw in.problem(in.offset() - 1, "unknown element tag " + tag);
    };
  }

  /** The product, or {@code Long.MAX_VALUE} when it overflows: more than any record holds. */
  private static long multiplyOrMax(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static void tensor(DataOutputStream out, Tensor t) throws IOException {
    out.writeByte(t.dtype().tensorflowNumber());
    long[] dims = t.shape().dims();
    out.writeByte(dims.length);
    for (long d : dims) {
      out.writeLong(d);
    }
    if (t.dtype() == DType.STRING) {
      for (int i = 0; i < t.size(); i++) {
        byte[] s = t.getString(i);
        out.writeInt(s.length);
        out.write(s);
      }
    } else {
      out.write(t.data().toArray(ValueLayout.JAVA_BYTE));
    }
  }

  private static Tensor tensor(Input in) throws IOException {
    int typeAt = in.offset();
    int number = in.readUnsignedByte();
    DType dtype;
    try {
      dtype = DType.fromTensorflowNumber(number);
    } catch (IllegalArgumentException e) {
      throw in.problem(typeAt, "unknown dtype number " + number);
    }
    long[] dims = new long[in.readUnsignedByte()]; // at most 255
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = in.readLong();
      if (dims[i] < 0) {
        throw in.problem(in.offset() - 8, "dimension " + i + " is " + dims[i]);
      }
      elements = multiplyOrMax(elements, dims[i]);
    }
    // A string takes at least its 4-byte length; other elements their width.
    long minBytes = dtype == DType.STRING ? 4 : dtype.byteSize();
    if (elements > in.available() / minBytes) {
      throw in.problem(
          typeAt,
          dtype
              + " "
              + java.util.Arrays.toString(dims)
              + " cannot fit in the "
              + in.available()
              + " bytes that follow");
    }
    Tensor t = Tensor.zeros(dtype, Shape.of(dims));
    if (dtype == DType.STRING) {
      for (int i = 0; i < t.size(); i++) {
        t.setString(i, in.bytes());
      }
    } else {
      byte[] d = in.readNBytes(Math.toIntExact(t.data().byteSize()));
      MemorySegment.copy(MemorySegment.ofArray(d), 0, t.data(), 0, d.length);
    }
    return t;
  }
}
