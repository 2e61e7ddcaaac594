package dev.millrace.graph.types;

/** Element type marker: 64-bit IEEE float (FLOAT64). */
public final class Float64 implements TFloating {
  private Float64() {}
}
