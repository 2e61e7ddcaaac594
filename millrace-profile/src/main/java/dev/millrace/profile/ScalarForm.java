package dev.millrace.profile;

/** How a scalar is stored in a {@code tensorflow.Summary.Value}; TensorBoard reads both. */
public enum ScalarForm {
  /**
   * TensorFlow 2's form, as {@code tf.summary.scalar} writes it: a rank-0 {@code DT_FLOAT} tensor
   * with {@code plugin_name: "scalars"} and {@code data_class: DATA_CLASS_SCALAR} in the metadata.
   */
  TENSOR,
  /** The classic form of TensorFlow 1's {@code tf.summary.scalar}: {@code simple_value}. */
  SIMPLE_VALUE
}
