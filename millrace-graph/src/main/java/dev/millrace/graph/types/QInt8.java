package dev.millrace.graph.types;

/** Element type marker: quantized signed 8-bit (QINT8). */
public final class QInt8 implements TInteger {
  private QInt8() {}
}
