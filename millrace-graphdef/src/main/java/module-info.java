/**
 * TensorFlow GraphDef files: the protos with TensorFlow's field numbers, reading and writing {@code
 * .pb} files with bounded allocation, graph summaries and the transform-graph argument syntax.
 */
module dev.millrace.graphdef {
  requires transitive com.google.protobuf;
  requires transitive dev.millrace.graph;
  requires dev.millrace.records;

  exports dev.millrace.graphdef;
  exports dev.millrace.graphdef.proto;
  exports dev.millrace.graphdef.transforms;
}
