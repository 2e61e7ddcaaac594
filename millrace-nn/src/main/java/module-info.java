/** Layers on the graph engine, the built-in models, and the training loop. */
module dev.millrace.nn {
  requires transitive dev.millrace.graph;
  requires transitive dev.millrace.data;

  exports dev.millrace.nn;
}
