package dev.millrace.convert.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.Int64List;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Building and serializing {@code tf.train.Example}s the same way every time. */
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
    byte[] out = new byte[example.getSerializedSize()];
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.useDeterministicSerialization();
    try {
      example.writeTo(coded);
      coded.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing into an exactly sized array cannot fail", e);
    }
    return out;
  }

  /** An Example with the given features. */
  public static Example of(Features.Builder features) {
    return Example.newBuilder().setFeatures(features).build();
  }
}
