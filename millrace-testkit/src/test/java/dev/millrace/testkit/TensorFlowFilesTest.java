package dev.millrace.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files under {@code testdata/tensorflow} are exactly those of its README's table, byte for
 * byte: tests compare against TensorFlow's bytes, so a converted line ending or a file edited by
 * hand must show up here rather than as a puzzling failure elsewhere.
 */
class TensorFlowFilesTest {
  /** A row of the README's file table: {@code | `path` | 1,234 | `sha256` |}. */
  private static final Pattern ROW =
      Pattern.compile("^\\| `([^`]+)` \\| ([0-9,]+) \\| `([0-9a-f]{64})` \\|$", Pattern.MULTILINE);

  private record Listed(long bytes, String sha256) {}

  @Test
  void everyFileMatchesTheReadmesSizeAndSha256AndNoneIsUnlisted()
      throws IOException, NoSuchAlgorithmException {
    Path dir = TestData.tensorflowDir();
    Map<String, Listed> listed = readmeTable(dir.resolve("README.md"));
    assertThat(listed).as("files in README.md's table").hasSizeGreaterThanOrEqualTo(14);

    Map<String, Listed> present = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = dir.relativize(f).toString().replace('\\', '/');
        if (!name.equals("README.md")) {
          byte[] bytes = Files.readAllBytes(f);
          String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
          present.put(name, new Listed(bytes.length, sha));
        }
      }
    }
    assertThat(present.keySet()).as("files present").containsExactlyElementsOf(listed.keySet());
    listed.forEach((name, row) -> assertThat(present.get(name)).as(name).isEqualTo(row));
  }

  private static Map<String, Listed> readmeTable(Path readme) throws IOException {
    Map<String, Listed> out = new TreeMap<>();
    Matcher m = ROW.matcher(Files.readString(readme));
    while (m.find()) {
      out.put(m.group(1), new Listed(Long.parseLong(m.group(2).replace(",", "")), m.group(3)));
    }
    return out;
  }
}
