package dev.millrace.graph.types;

/** Element type marker: quantized unsigned 8-bit (QUINT8). */
public final class QUInt8 implements TInteger {
  private QUInt8() {}
}
