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

  private ElementCodec() {}

  static byte[] encode(Object e) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, e);
    }
    return bytes.toByteArray();
  }

  static Object decode(byte[] data) throws IOException {
    return read(new DataInputStream(new ByteArrayInputStream(data)));
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

  private static Object read(DataInputStream in) throws IOException {
    int tag = in.readUnsignedByte();
    return switch (tag) {
      case FEATURES -> {
        int n = in.readInt();
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
        int n = in.readInt();
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
        byte[] d = in.readNBytes(in.readInt());
        yield file.isEmpty() ? TfRecord.of(d) : TfRecord.of(d, Path.of(file), index, offset);
      }
      case LONG -> in.readLong();
      case INT -> in.readInt();
      case DOUBLE -> in.readDouble();
      case FLOAT -> in.readFloat();
      case STRING ->
          new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8);
      case BYTES -> in.readNBytes(in.readInt());
      case PAIR -> new Pair<>(read(in), read(in));
      case LIST -> {
        int n = in.readInt();
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(read(in));
        }
        yield List.copyOf(l);
      }
      default -> throw new IOException("unknown element tag " + tag + " in cache file");
    };
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

  private static Tensor tensor(DataInputStream in) throws IOException {
    DType dtype = DType.fromTensorflowNumber(in.readUnsignedByte());
    long[] dims = new long[in.readUnsignedByte()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = in.readLong();
    }
    Tensor t = Tensor.zeros(dtype, Shape.of(dims));
    if (dtype == DType.STRING) {
      for (int i = 0; i < t.size(); i++) {
        t.setString(i, in.readNBytes(in.readInt()));
      }
    } else {
      byte[] d = in.readNBytes(Math.toIntExact(t.data().byteSize()));
      MemorySegment.copy(MemorySegment.ofArray(d), 0, t.data(), 0, d.length);
    }
    return t;
  }
}
