package dev.millrace.records;

import java.io.IOException;

/**
 * Serialized {@code tf.train.Example} (or {@code SequenceExample}) bytes that break the protobuf
 * wire format: a truncated varint, a length that runs past its message, an invalid wire type. The
 * message reads {@code malformed Example at byte 17: problem}, where the byte offset counts from
 * the first byte of the serialized message. Callers that know the file and record add them (see
 * {@link CorruptRecordException}).
 */
public final class MalformedExampleException extends IOException {
  private final int offset;
  private final String problem;

  public MalformedExampleException(int offset, String problem) {
    super("malformed Example at byte " + offset + ": " + problem);
    this.offset = offset;
    this.problem = problem;
  }

  /** Byte offset of the problem, from the first byte of the serialized message. */
  public int offset() {
    return offset;
  }

  /** The problem alone, without the location. */
  public String problem() {
    return problem;
  }
}
