package dev.millrace.graph;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A tensor's identity by value: dtype, shape and content bytes. Constant de-duplication and tensor
 * attribute equality use it.
 */
final class TensorKey {
  private final DType dtype;
  private final Shape shape;
  private final byte[] bytes;
  private final int hash;

  private TensorKey(DType dtype, Shape shape, byte[] bytes) {
    this.dtype = dtype;
    this.shape = shape;
    this.bytes = bytes;
    this.hash = (dtype.hashCode() * 31 + shape.hashCode()) * 31 + Arrays.hashCode(bytes);
  }

  static TensorKey of(Tensor t) {
    if (t.dtype() != DType.STRING) {
      return new TensorKey(t.dtype(), t.shape(), t.toByteArray());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < t.size(); i++) {
      byte[] s = t.getString(i);
      out.writeBytes(ByteBuffer.allocate(4).putInt(s.length).array());
      out.writeBytes(s);
    }
    return new TensorKey(t.dtype(), t.shape(), out.toByteArray());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorKey k
        && hash == k.hash
        && dtype == k.dtype
        && shape.equals(k.shape)
        && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
