package dev.millrace.records;

/**
 * Receives the parts of a serialized {@code tf.train.SequenceExample} from {@link
 * ExampleScanner#scanSequence}: its context features, then for each feature list a {@link
 * #featureList} call followed by one {@link #step} call per step. Names are ranges of the scanned
 * buffer.
 */
public interface SequenceVisitor {
  /** One context feature; the parameters are those of {@link FeatureVisitor#feature}. */
  void context(
      byte[] buf,
      int nameOff,
      int nameLen,
      FeatureType type,
      int valueCount,
      int minValueBytes,
      int maxValueBytes);

  /** A feature list of {@code steps} steps; exactly that many {@link #step} calls follow. */
  void featureList(byte[] buf, int nameOff, int nameLen, int steps);

  /**
   * Step {@code step} of the current feature list: one {@code Feature}, described as in {@link
   * FeatureVisitor#feature}.
   */
  void step(int step, FeatureType type, int valueCount, int minValueBytes, int maxValueBytes);
}
