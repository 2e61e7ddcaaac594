package dev.millrace.spark;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the records of a TFRecord file are, as the data source's {@code recordType} option names it;
 * the names are those other Spark TFRecord sources use.
 */
public enum RecordType {
  /** {@code tf.train.Example}: one column per feature. */
  EXAMPLE("Example"),
  /**
   * {@code tf.train.SequenceExample}: one column per context feature, one array-of-arrays column
   * (steps × values) per feature list.
   */
  SEQUENCE_EXAMPLE("SequenceExample"),
  /** The records' bytes as they are: one binary column, {@code byteArray}. */
  BYTE_ARRAY("ByteArray");

  /** The column of {@link #BYTE_ARRAY} records. */
  public static final String BYTE_ARRAY_COLUMN = "byteArray";

  private final String optionName;

  RecordType(String optionName) {
    this.optionName = optionName;
  }

  /** The option's value for this type. */
  public String optionName() {
    return optionName;
  }

  /**
   * Parses an option value, ignoring case.
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
   */
  public static RecordType parse(String text) {
    for (RecordType t : values()) {
      if (t.optionName.toLowerCase(Locale.ROOT).equals(text.trim().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "recordType '"
            + text
            + "' (expected one of: "
            + Arrays.stream(values()).map(RecordType::optionName).collect(Collectors.joining(", "))
            + ")");
  }
}
