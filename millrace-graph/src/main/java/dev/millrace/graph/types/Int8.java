package dev.millrace.graph.types;

/** Element type marker: 8-bit signed integer (INT8). */
public final class Int8 implements TInteger {
  private Int8() {}
}
