package dev.millrace.records.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 validation, as proto3 parsers apply to string fields such as feature names. */
public final class Utf8 {
  private Utf8() {}

  /** True if {@code b[off, off + len)} is well-formed UTF-8 (no overlong forms, no surrogates). */
  public static boolean isValid(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] < 0) {
        return decodes(b, off, len);
      }
    }
    return true;
  }

  private static boolean decodes(byte[] b, int off, int len) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, off, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
