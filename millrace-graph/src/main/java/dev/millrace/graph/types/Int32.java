package dev.millrace.graph.types;

/** Element type marker: 32-bit signed integer (INT32). */
public final class Int32 implements TInteger {
  private Int32() {}
}
