package dev.millrace.graph.types;

/** Marker of the floating-point element types (gradients flow through these only). */
public sealed interface TFloating extends TNumber permits Float32, Float64 {}
