/**
 * TensorFlow GraphDef files. {@link dev.millrace.graphdef.GraphDefFile} reads and writes them
 * (bounded, one-line errors naming the file, atomic writes); {@link
 * dev.millrace.graphdef.TensorValues} turns TensorProtos into tensors and back, checking every
 * count against the shape first; {@link dev.millrace.graphdef.GraphSummary} is {@code millrace
 * summarize-graph}; {@link dev.millrace.graphdef.TransformSpec} parses {@code --transforms}. The
 * generated protos ({@code dev.millrace.graphdef.proto}) use TensorFlow's field numbers, so their
 * bytes are TensorFlow's.
 */
package dev.millrace.graphdef;
