package dev.millrace.records;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kind of a {@code tf.train.Feature}: which of its three lists is set, if any. */
public enum FeatureType {
  BYTES,
  FLOAT,
  INT64,
  /** A Feature message with no list set (TensorFlow parses it as zero values). */
  NONE;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
