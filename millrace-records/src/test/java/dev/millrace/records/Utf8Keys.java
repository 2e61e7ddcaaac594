package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.SequenceExample;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The one way the fast readers may accept what protobuf-java rejects: feature names that are not
 * valid UTF-8, which proto3 parsers refuse and the fast readers leave to their callers.
 */
final class Utf8Keys {
  private Utf8Keys() {}

  /**
   * Fails unless protobuf-java's rejection of {@code bytes} is only about keys: the walk found
   * every entry, and with each key that is not UTF-8 overwritten by as many {@code 'k'} bytes,
   * protobuf-java accepts.
   */
  static void requireOnlyBadKeys(
      byte[] bytes,
      boolean sequence,
      ProtobufOracle.Walk walk,
      InvalidProtocolBufferException rejection) {
    String why =
        "accepted what protobuf-java rejects (" + rejection.getMessage() + "): " + hex(bytes);
    byte[] repaired = repaired(bytes, walk);
    assertThat(repaired).as(why).isNotNull();
    try {
      if (sequence) {
        SequenceExample.parseFrom(repaired);
      } else {
        Example.parseFrom(repaired);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(why + "; not only for its keys: " + e.getMessage(), e);
    }
  }

  /**
   * {@code bytes} with every key that is not UTF-8 overwritten by as many {@code 'k'} bytes; null
   * if the walk broke off or found no such key.
   */
  static byte[] repaired(byte[] bytes, ProtobufOracle.Walk walk) {
    if (!walk.complete()) {
      return null;
    }
    byte[] repaired = bytes.clone();
    boolean anyBadKey = false;
    for (ProtobufOracle.Key key : walk.keys()) {
      if (!key.isUtf8()) {
        anyBadKey = true;
        Arrays.fill(repaired, key.offset(), key.offset() + key.bytes().length, (byte) 'k');
      }
    }
    return anyBadKey ? repaired : null;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
