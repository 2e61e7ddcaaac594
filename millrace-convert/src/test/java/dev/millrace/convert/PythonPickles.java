package dev.millrace.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The CIFAR-10-format pickles that Python 3 wrote with numpy 1 and numpy 2, under the test
 * resources' {@code dev/millrace/convert/pickles/} (see the README there), and what each holds as
 * Python recorded it in {@code expected.json}.
 */
public final class PythonPickles {
  /** The folders, one for each numpy major version that wrote them. */
  public static final List<String> NUMPY_VERSIONS = List.of("numpy1", "numpy2");

  private PythonPickles() {}

  /** The fixtures' folder. */
  public static Path dir() {
    URL url = PythonPickles.class.getResource("pickles/make_pickles.py");
    assertThat(url).as("test resource dev/millrace/convert/pickles/make_pickles.py").isNotNull();
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A file in the folder of one numpy version ({@code "numpy2"}) or, with null, in the top one. */
  public static Path file(String numpy, String name) {
    Path f = numpy == null ? dir().resolve(name) : dir().resolve(numpy).resolve(name);
    assertThat(f).exists();
    return f;
  }

  public static byte[] bytes(String numpy, String name) {
    try {
      return Files.readAllBytes(file(numpy, name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code expected.json} of one numpy version. */
  public static JsonNode expected(String numpy) {
    try {
      return new ObjectMapper().readTree(file(numpy, "expected.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The labels a batch's entry in {@code expected.json} records. */
  public static byte[] labels(JsonNode entry) {
    JsonNode labels = entry.get("labels");
    byte[] b = new byte[labels.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) labels.get(i).asInt();
    }
    return b;
  }
}
