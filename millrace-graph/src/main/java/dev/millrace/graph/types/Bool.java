package dev.millrace.graph.types;

/** Element type marker: boolean (BOOL). */
public final class Bool implements TType {
  private Bool() {}
}
