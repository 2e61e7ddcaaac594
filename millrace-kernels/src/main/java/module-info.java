/** CPU kernels for every op of the graph engine: reference twins and fast versions. */
module dev.millrace.kernels {
  requires transitive dev.millrace.tensor;

  exports dev.millrace.kernels;
}
