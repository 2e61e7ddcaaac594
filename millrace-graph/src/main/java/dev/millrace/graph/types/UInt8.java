package dev.millrace.graph.types;

/** Element type marker: 8-bit unsigned integer (UINT8). */
public final class UInt8 implements TInteger {
  private UInt8() {}
}
