/** Tensors: typed, shaped, contiguous row-major storage on or off the Java heap. */
module dev.millrace.tensor {
  exports dev.millrace.tensor;
}
