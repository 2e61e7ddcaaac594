/** CPU kernels for every op of the graph engine: reference twins and fast versions. */
module dev.millrace.kernels {
  requires transitive dev.millrace.tensor;
  // The fast kernels use the incubating Vector API when the JVM resolves it (--add-modules
  // jdk.incubator.vector); without it the reference kernels run.
  requires static jdk.incubator.vector;

  exports dev.millrace.kernels;
  // The graph's op definitions bind an op's reference twin and its fast version directly
  // (KernelSource.Kind.TWINS), so a new op needs no method on the Kernels interface.
  exports dev.millrace.kernels.internal to
      dev.millrace.graph;
  exports dev.millrace.kernels.internal.simd to
      dev.millrace.graph;
}
