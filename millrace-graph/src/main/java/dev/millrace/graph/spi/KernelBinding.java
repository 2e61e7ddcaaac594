package dev.millrace.graph.spi;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import java.util.Set;

/**
 * A kernel registered for an op type, restricted to element types (of its {@code T} attribute, or
 * its first type attribute) and data formats (of its {@code data_format} attribute); an empty set
 * accepts any. The registry picks the first binding that matches an operation.
 */
public record KernelBinding(Set<DType> types, Set<DataFormat> formats, KernelFactory factory) {
  public KernelBinding {
    types = Set.copyOf(types);
    formats = Set.copyOf(formats);
  }

  public boolean matches(DType type, DataFormat format) {
    return (types.isEmpty() || type == null || types.contains(type))
        && (formats.isEmpty() || format == null || formats.contains(format));
  }
}
