package dev.millrace.graph.types;

/**
 * Compile-time marker of a tensor's element type, so that {@code Output<Float32>} and {@code
 * Output<Int64>} cannot be mixed up. Markers are never instantiated; the runtime type is the {@link
 * dev.millrace.tensor.DType} an {@link DataType} carries.
 */
public sealed interface TType permits TNumber, Bool, TString {}
