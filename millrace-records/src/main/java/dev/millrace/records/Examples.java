package dev.millrace.records;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.Int64List;
import dev.millrace.records.proto.SequenceExample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Building and serializing {@code tf.train.Example}s the same way every time: what every writer of
 * Examples in Millrace (the converters, the Spark data source) uses, so that the same features give
 * the same bytes whoever writes them.
 */
public final class Examples {
  private Examples() {}

  public static Feature int64(long value) {
    return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(value)).build();
  }

  public static Feature bytes(ByteString value) {
    return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(value)).build();
  }

  public static Feature bytes(String utf8) {
    return bytes(ByteString.copyFrom(utf8, StandardCharsets.UTF_8));
  }

  /**
   * Serializes with protobuf's deterministic mode, which writes map entries sorted by key: the same
   * Example always gives the same bytes, so shards (and their SHA-256 in the manifest) are
   * reproducible. Protobuf's default leaves map order unspecified.
   */
  public static byte[] serialize(Example example) {
    return deterministic(example);
  }

  /** Serializes deterministically, as {@link #serialize(Example)}. */
  public static byte[] serialize(SequenceExample example) {
    return deterministic(example);
  }

  /** An Example with the given features. */
  public static Example of(Features.Builder features) {
    return Example.newBuilder().setFeatures(features).build();
  }

  private static byte[] deterministic(MessageLite message) {
    byte[] out = new byte[message.getSerializedSize()];
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.useDeterministicSerialization();
    try {
      message.writeTo(coded);
      coded.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing into an exactly sized array cannot fail", e);
    }
    return out;
  }
}
