package dev.millrace.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The TFRecord files written by TensorFlow under {@code testdata/tensorflow/records/} and their
 * manifest.
 */
final class Golden {
  private static JsonNode manifest;

  private Golden() {}

  /** The file {@code name} of {@code testdata/tensorflow/records/}; it must exist. */
  static Path file(String name) {
    return TestData.tensorflow("records/" + name);
  }

  static synchronized JsonNode manifest() {
    if (manifest == null) {
      try {
        manifest = new ObjectMapper().readTree(file("manifest.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return manifest;
  }

  /** The manifest's entry for {@code name}. */
  static JsonNode entry(String name) {
    for (JsonNode f : manifest().get("files")) {
      if (f.get("file").asText().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no manifest entry for " + name);
  }

  static List<String> fileNames() {
    List<String> names = new ArrayList<>();
    manifest().get("files").forEach(f -> names.add(f.get("file").asText()));
    return names;
  }

  /** Every payload of {@code file}, read with suffix-detected compression. */
  static List<byte[]> payloads(String name) {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(file(name))) {
      while (r.next()) {
        out.add(r.copyRecord());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(file(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] data, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, off, len);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
