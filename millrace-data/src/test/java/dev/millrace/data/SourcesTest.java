package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TFRecord sources: lists, globs, compression, parallel reading of shards. */
class SourcesTest {
  @TempDir Path tmp;

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  private List<Integer> numbers(Dataset<TfRecord> d) {
    return d.map(TestSupport::number).toList();
  }

  @Test
  void aGlobMatchesFilesSortedByName() throws Exception {
    TestSupport.numberRecords(tmp.resolve("train-00001-of-00002.tfrecord"), 100, 3);
    TestSupport.numberRecords(tmp.resolve("train-00000-of-00002.tfrecord"), 0, 2);
    TestSupport.numberRecords(tmp.resolve("test-00000-of-00001.tfrecord"), 900, 1);
    assertThat(numbers(Dataset.tfRecords(tmp.resolve("train-*.tfrecord"))))
        .containsExactly(0, 1, 100, 101, 102);
    assertThat(Dataset.files(tmp.resolve("*.tfrecord")).toList())
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "test-00000-of-00001.tfrecord",
            "train-00000-of-00002.tfrecord",
            "train-00001-of-00002.tfrecord");
    assertThatThrownBy(() -> Dataset.tfRecords(tmp.resolve("val-*.tfrecord")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no file matches");
  }

  @Test
  void compressedGoldenFilesGiveTheSameRecordsAsThePlainOne() {
    List<TfRecord> plain =
        Dataset.tfRecords(TestSupport.golden("fashion-train-500.tfrecord")).toList();
    for (String name :
        List.of("fashion-train-500.tfrecord.gz", "fashion-train-500.tfrecord.zlib")) {
      List<TfRecord> other = Dataset.tfRecords(TestSupport.golden(name)).toList();
      assertThat(other).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(other.get(i).toByteArray()).isEqualTo(plain.get(i).toByteArray());
      }
    }
    assertThat(plain.get(2).offset()).isEqualTo(2 * 838);
    assertThat(plain.get(2).recordIndex()).isEqualTo(2);
    assertThat(plain.get(2).file()).contains(TestSupport.golden("fashion-train-500.tfrecord"));
  }

  @Test
  void explicitCompressionOverridesTheSuffix() throws Exception {
    Path gz = TestSupport.numberRecords(tmp.resolve("plain.tfrecord"), 0, 0);
    try (var w =
        dev.millrace.records.RecordWriter.create(
            tmp.resolve("gz-without-suffix"), Compression.GZIP)) {
      w.write("7".getBytes());
    }
    assertThat(
            numbers(Dataset.tfRecords(List.of(tmp.resolve("gz-without-suffix")), Compression.GZIP)))
        .containsExactly(7);
    assertThat(Dataset.tfRecords(gz).toList()).isEmpty();
  }

  @Test
  void interleavingShardsReadsThemRoundRobinInParallel() throws Exception {
    for (int s = 0; s < 3; s++) {
      TestSupport.numberRecords(tmp.resolve("s" + s + ".tfrecord"), s * 100, s + 2);
    }
    Dataset<TfRecord> d =
        Dataset.tfRecords(tmp.resolve("s*.tfrecord")).interleave(3, Parallelism.AUTOTUNE);
    assertThat(numbers(d)).containsExactly(0, 100, 200, 1, 101, 201, 102, 202, 203);
    assertThatThrownBy(() -> Dataset.range(3).interleave(2, Parallelism.AUTOTUNE))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shardingTheFileListGivesDisjointParts() throws Exception {
    for (int s = 0; s < 4; s++) {
      TestSupport.numberRecords(tmp.resolve("p" + s + ".tfrecord"), s * 10, 3);
    }
    Dataset<Path> files = Dataset.files(tmp.resolve("p*.tfrecord"));
    List<Integer> a =
        files.shard(2, 0).flatMap(f -> Dataset.tfRecords(f)).map(TestSupport::number).toList();
    List<Integer> b =
        files.shard(2, 1).flatMap(f -> Dataset.tfRecords(f)).map(TestSupport::number).toList();
    assertThat(a).containsExactly(0, 1, 2, 20, 21, 22);
    assertThat(b).containsExactly(10, 11, 12, 30, 31, 32);
  }

  @Test
  void statsCountRecordsAndTheirExactBytesAcrossInterleavedFiles() throws Exception {
    for (int s = 0; s < 3; s++) {
      TestSupport.numberRecords(tmp.resolve("c" + s + ".tfrecord"), 10, 5);
    }
    try (DatasetIterator<TfRecord> it =
        Dataset.tfRecords(tmp.resolve("c*.tfrecord")).interleave(2, Parallelism.of(2)).iterator()) {
      it.forEachRemaining(r -> {});
      PipelineStats s = it.stats();
      assertThat(s.elements("tfRecords")).isEqualTo(15);
      assertThat(s.bytes("tfRecords")).isEqualTo(15 * 2);
      assertThat(Files.size(tmp.resolve("c0.tfrecord"))).isEqualTo(5 * 18);
    }
  }
}
