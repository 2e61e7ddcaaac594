/** The graph engine: graphs, op registry, sessions, gradients, optimizers and checkpoints. */
module dev.millrace.graph {
  requires transitive dev.millrace.kernels;

  exports dev.millrace.graph;
  exports dev.millrace.graph.spi;
  exports dev.millrace.graph.types;
  exports dev.millrace.graph.train;
}
