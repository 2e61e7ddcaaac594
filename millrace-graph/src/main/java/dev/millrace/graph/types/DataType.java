package dev.millrace.graph.types;

import dev.millrace.tensor.DType;

/**
 * A runtime element type tied to its compile-time marker: {@code DataType<Float32>} is {@link
 * DType#FLOAT32}. The constants live in {@link Types}.
 *
 * @param dtype the runtime element type
 * @param marker the marker class
 * @param <T> the marker type
 */
public record DataType<T extends TType>(DType dtype, Class<T> marker) {
  public DataType {
    if (dtype == null || marker == null) {
      throw new IllegalArgumentException("dtype and marker must be non-null");
    }
  }

  @Override
  public String toString() {
    return dtype.name();
  }
}
