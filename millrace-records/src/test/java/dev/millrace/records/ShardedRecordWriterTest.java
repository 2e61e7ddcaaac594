package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShardedRecordWriterTest {
  @TempDir Path dir;

  private static byte[] record(int i, int size) {
    byte[] b = new byte[size];
    for (int k = 0; k < size; k++) {
      b[k] = (byte) (i * 31 + k);
    }
    return b;
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<byte[]> read(Path p) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = RecordReader.open(p)) {
      while (r.next()) {
        out.add(r.copyRecord());
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void rotatesAtTargetSizeWithTensorFlowNamesHashesAndSizes(Compression c) throws IOException {
    // 100-byte records are 116 framed bytes: 3 fit in 400, so 10 records make 4 shards (3,3,3,1).
    ShardingOptions options = new ShardingOptions(400, c);
    List<byte[]> observed = new ArrayList<>();
    List<ShardInfo> shards;
    try (ShardedRecordWriter w =
        new ShardedRecordWriter(
            dir,
            "train",
            options,
            (d, off, len) -> observed.add(java.util.Arrays.copyOfRange(d, off, off + len)))) {
      for (int i = 0; i < 10; i++) {
        w.write(record(i, 100));
        assertThat(w.records()).isEqualTo(i + 1);
      }
      shards = w.finish();
      assertThat(w.finish()).isEqualTo(shards);
    }
    assertThat(shards)
        .extracting(ShardInfo::file)
        .containsExactly(
            "train-00000-of-00004.tfrecord" + c.suffix(),
            "train-00001-of-00004.tfrecord" + c.suffix(),
            "train-00002-of-00004.tfrecord" + c.suffix(),
            "train-00003-of-00004.tfrecord" + c.suffix());
    assertThat(shards).extracting(ShardInfo::records).containsExactly(3L, 3L, 3L, 1L);
    assertThat(listing()).isEqualTo(shards.stream().map(ShardInfo::file).toList());
    List<byte[]> all = new ArrayList<>();
    for (ShardInfo s : shards) {
      Path p = dir.resolve(s.file());
      byte[] bytes = Files.readAllBytes(p);
      assertThat(s.bytes()).isEqualTo(bytes.length);
      assertThat(s.sha256()).isEqualTo(Golden.sha256(bytes));
      if (c == Compression.NONE) {
        assertThat(bytes.length).isEqualTo(116L * s.records()).isLessThanOrEqualTo(400);
      }
      List<byte[]> records = read(p);
      assertThat(records).hasSize((int) s.records());
      all.addAll(records);
    }
    assertThat(all).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(all.get(i)).isEqualTo(record(i, 100));
      assertThat(observed.get(i)).isEqualTo(record(i, 100));
    }
  }

  @Test
  void recordLargerThanTargetGetsAShardOfItsOwn() throws IOException {
    try (ShardedRecordWriter w =
        new ShardedRecordWriter(dir, "big", new ShardingOptions(100, Compression.NONE))) {
      w.write(record(0, 10));
      w.write(record(1, 500));
      w.write(record(2, 10));
      assertThat(w.finish()).extracting(ShardInfo::records).containsExactly(1L, 1L, 1L);
    }
  }

  @Test
  void emptyStreamYieldsOneEmptyShard() throws IOException {
    try (ShardedRecordWriter w = new ShardedRecordWriter(dir, "test", ShardingOptions.defaults())) {
      List<ShardInfo> shards = w.finish();
      assertThat(shards).hasSize(1);
      assertThat(shards.get(0).file()).isEqualTo("test-00000-of-00001.tfrecord");
      assertThat(shards.get(0).records()).isZero();
      assertThat(shards.get(0).bytes()).isZero();
      assertThat(shards.get(0).sha256()).isEqualTo(Golden.sha256(new byte[0]));
    }
    assertThat(listing()).containsExactly("test-00000-of-00001.tfrecord");
  }

  @Test
  void closeWithoutFinishRemovesTemporaryShards() throws IOException {
    ShardedRecordWriter w =
        new ShardedRecordWriter(dir, "train", new ShardingOptions(200, Compression.GZIP));
    for (int i = 0; i < 5; i++) {
      w.write(record(i, 100));
    }
    assertThat(listing()).isNotEmpty().allMatch(n -> n.startsWith(".") && n.endsWith(".tmp"));
    w.close();
    assertThat(listing()).isEmpty();
    assertThatThrownBy(() -> w.write(record(9, 1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(w::finish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed before finish()");
  }

  @Test
  void finishRemovesStaleShardsOfTheSamePrefixOnly() throws IOException {
    for (String stale :
        List.of(
            "train-00000-of-00003.tfrecord",
            "train-00001-of-00003.tfrecord",
            "train-00002-of-00003.tfrecord.gz",
            "train-00000-of-00001.tfrecord",
            "test-00000-of-00001.tfrecord",
            "trainer-00000-of-00001.tfrecord",
            "train-notes.txt")) {
      Files.writeString(dir.resolve(stale), "old");
    }
    try (ShardedRecordWriter w =
        new ShardedRecordWriter(dir, "train", ShardingOptions.defaults())) {
      w.write(record(0, 10));
      w.finish();
    }
    assertThat(listing())
        .containsExactly(
            "test-00000-of-00001.tfrecord",
            "train-00000-of-00001.tfrecord",
            "train-notes.txt",
            "trainer-00000-of-00001.tfrecord");
    assertThat(read(dir.resolve("train-00000-of-00001.tfrecord"))).hasSize(1);
  }

  @Test
  void rejectsPrefixThatIsNotAFileName() {
    assertThatThrownBy(() -> new ShardedRecordWriter(dir, "a/b", ShardingOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/b");
  }

  @Test
  void shardNameFollowsTensorFlowConvention() {
    assertThat(ShardedRecordWriter.shardName("train", 3, 12, Compression.NONE))
        .isEqualTo("train-00003-of-00012.tfrecord");
    assertThat(ShardedRecordWriter.shardName("x", 0, 1, Compression.ZLIB))
        .isEqualTo("x-00000-of-00001.tfrecord.zlib");
  }

  @Test
  void optionsRejectNonPositiveTargets() {
    assertThatThrownBy(() -> new ShardingOptions(0, Compression.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetShardBytes: 0 (expected > 0)");
    assertThat(ShardingOptions.defaults().withCompression(Compression.GZIP).withTargetShardBytes(5))
        .isEqualTo(new ShardingOptions(5, Compression.GZIP));
  }
}
