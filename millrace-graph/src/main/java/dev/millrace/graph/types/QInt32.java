package dev.millrace.graph.types;

/** Element type marker: quantized signed 32-bit (QINT32). */
public final class QInt32 implements TInteger {
  private QInt32() {}
}
