package dev.millrace.graph.types;

/** Element type marker: 64-bit signed integer (INT64). */
public final class Int64 implements TInteger {
  private Int64() {}
}
