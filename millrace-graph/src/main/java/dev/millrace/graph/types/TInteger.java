package dev.millrace.graph.types;

/** Marker of the integer and quantized element types. */
public sealed interface TInteger extends TNumber
    permits Int32, Int64, UInt8, Int8, QInt8, QUInt8, QInt32 {}
