package dev.millrace.graph.types;

/** Element type marker: 32-bit IEEE float (FLOAT32). */
public final class Float32 implements TFloating {
  private Float32() {}
}
