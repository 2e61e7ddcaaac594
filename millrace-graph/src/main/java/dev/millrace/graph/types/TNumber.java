package dev.millrace.graph.types;

/** Marker of the numeric element types (arithmetic applies). */
public sealed interface TNumber extends TType permits TFloating, TInteger {}
