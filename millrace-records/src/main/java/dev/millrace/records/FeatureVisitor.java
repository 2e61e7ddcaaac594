package dev.millrace.records;

/**
 * Receives the features of a serialized Example from {@link ExampleScanner}, one call per map
 * entry, with the name as a range of the scanned buffer (no {@code String} made).
 */
@FunctionalInterface
public interface FeatureVisitor {
  /**
   * One feature.
   *
   * @param buf the scanned buffer
   * @param nameOff where the feature's UTF-8 name starts in {@code buf}
   * @param nameLen its length in bytes (0 for an entry without a key: protobuf reads it as "")
   * @param type which list the Feature holds; {@link FeatureType#NONE} if none is set
   * @param valueCount number of values in the list
   * @param minValueBytes for bytes features with values, the shortest value's length; else -1
   * @param maxValueBytes for bytes features with values, the longest value's length; else -1
   */
  void feature(
      byte[] buf,
      int nameOff,
      int nameLen,
      FeatureType type,
      int valueCount,
      int minValueBytes,
      int maxValueBytes);
}
