package dev.millrace.kernels;

/** Spatial padding of convolutions and pooling, as TensorFlow's {@code padding} attribute. */
public enum Padding {
  /** Output size {@code ceil(in / stride)}; the odd padding pixel goes after (bottom/right). */
  SAME,
  /** No padding: output size {@code ceil((in - (k - 1) * dilation) / stride)}. */
  VALID,
  /** Explicit per-side padding given in the spec. */
  EXPLICIT
}
