package dev.millrace.graph.types;

/** Element type marker: byte string (STRING). */
public final class TString implements TType {
  private TString() {}
}
