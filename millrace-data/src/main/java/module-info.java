/**
 * The input pipeline: {@code Dataset} and its transformations, autotuning, pipeline statistics,
 * Example decoding, image decoding and augmentation.
 */
module dev.millrace.data {
  requires transitive dev.millrace.tensor;
  requires transitive dev.millrace.records;
  requires java.desktop;

  exports dev.millrace.data;
}
