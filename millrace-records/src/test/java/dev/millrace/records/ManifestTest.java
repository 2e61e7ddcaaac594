package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  private static Manifest sample() {
    SplitManifest train =
        new SplitManifest(
            "train",
            5,
            Compression.GZIP,
            List.of(
                new ShardInfo("train-00000-of-00002.tfrecord.gz", 3, 120, "ab".repeat(32)),
                new ShardInfo("train-00001-of-00002.tfrecord.gz", 2, 80, "cd".repeat(32))),
            List.of(
                new FeatureSchema("image", FeatureType.BYTES, 1, 1, 784, 784, 5, false),
                new FeatureSchema("label", FeatureType.INT64, 1, 1, -1, -1, 5, false),
                new FeatureSchema("unset", FeatureType.NONE, 0, 0, -1, -1, 2, false)));
    SplitManifest test = new SplitManifest("test", 0, Compression.GZIP, List.of(), List.of());
    return Manifest.of("idx:/data/fashion", List.of(train, test));
  }

  @Test
  void manifestRoundTripsThroughJson() throws IOException {
    Manifest m = sample();
    m.writeTo(dir);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
        .containsExactly(Manifest.FILE_NAME);
    Manifest back = Manifest.read(dir.resolve(Manifest.FILE_NAME));
    assertThat(back).isEqualTo(m);
    assertThat(back.totalRecords()).isEqualTo(5);
    assertThat(back.split("train")).contains(m.splits().get(0));
    assertThat(back.split("validation")).isEmpty();
  }

  @Test
  void manifestJsonUsesSnakeCaseAndLowerCaseFeatureTypes() throws IOException {
    sample().writeTo(dir);
    JsonNode json = Manifest.json().readTree(dir.resolve(Manifest.FILE_NAME).toFile());
    assertThat(json.get("format").asText()).isEqualTo("tfrecord");
    JsonNode image = json.get("splits").get(0).get("schema").get(0);
    assertThat(image.get("type").asText()).isEqualTo("bytes");
    assertThat(image.get("min_value_bytes").asLong()).isEqualTo(784);
    assertThat(json.get("splits").get(0).get("compression").asText()).isEqualTo("GZIP");
    assertThat(json.get("splits").get(0).get("shards").get(1).get("sha256").asText())
        .isEqualTo("cd".repeat(32));
  }

  @Test
  void manifestReaderIgnoresUnknownFields() throws IOException {
    Path f = dir.resolve(Manifest.FILE_NAME);
    Files.writeString(
        f,
        "{\"format\":\"tfrecord\",\"source\":\"s\",\"splits\":[],\"written_by\":\"a later version\"}");
    assertThat(Manifest.read(f)).isEqualTo(Manifest.of("s", List.of()));
  }

  @Test
  void manifestCopiesItsLists() {
    List<SplitManifest> splits = new java.util.ArrayList<>(sample().splits());
    Manifest m = Manifest.of("s", splits);
    splits.clear();
    assertThat(m.splits()).hasSize(2);
    assertThatThrownBy(() -> m.splits().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void manifestWhoseShardLeavesItsFolderIsRefusedNamingTheFile() throws IOException {
    for (String bad :
        List.of("../other/train.tfrecord", "/etc/passwd", "sub/train.tfrecord", "..")) {
      Path f = dir.resolve(Manifest.FILE_NAME);
      Manifest.of(
              "s",
              List.of(
                  new SplitManifest(
                      "train",
                      1,
                      Compression.NONE,
                      List.of(new ShardInfo(bad, 1, 10, "ab".repeat(32))),
                      List.of())))
          .writeTo(dir);
      assertThatThrownBy(() -> Manifest.read(f))
          .as(bad)
          .isInstanceOf(IOException.class)
          .hasMessage(
              f
                  + ": split 'train' lists shard file '"
                  + bad
                  + "', which is not a plain file name in the manifest's folder");
    }
  }

  @Test
  void malformedManifestIsOneLineNamingTheFileLineAndColumn() throws IOException {
    Path f = dir.resolve(Manifest.FILE_NAME);
    Files.writeString(f, "{\n  \"format\": \"tfrecord\",\n  \"splits\": [ {\n");
    assertThatThrownBy(() -> Manifest.read(f))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(f + ": not a valid manifest: ")
        .hasMessageMatching(".*\\(line \\d+, column \\d+\\)")
        .hasMessageNotContaining("\n");
  }
}
