package dev.millrace.convert;

import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.idxPair;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record order: source order, or a seeded permutation that is the same on every run. */
class ShuffleAndThreadsTest {
  @TempDir Path tmp;
  private Path in;

  @BeforeEach
  void input() throws IOException {
    in = tmp.resolve("in");
    idxPair(in, "train", "", 300, 3, 3, 11);
    idxPair(in, "t10k", "", 40, 3, 3, 12);
  }

  private List<String> checksums(String name, ConvertOptions options) throws IOException {
    ConversionResult r =
        Converters.convert(
            SourceFormat.IDX, in, tmp.resolve(name), options, ProgressListener.none());
    return r.manifest().splits().stream()
        .map(SplitManifest::shards)
        .flatMap(List::stream)
        .map(ShardInfo::sha256)
        .toList();
  }

  @Test
  void shuffleWithTheSameSeedWritesIdenticalShards() throws IOException {
    ConvertOptions o = ConvertOptions.defaults().withShardBytes(2000).withShuffle(42);

    assertThat(checksums("a", o)).isEqualTo(checksums("b", o));
  }

  @Test
  void shuffledOutputIsIdenticalForOneAndManyThreads() throws IOException {
    ConvertOptions o = ConvertOptions.defaults().withShardBytes(2000).withShuffle(7);

    List<String> one = checksums("t1", o.withThreads(1));

    assertThat(checksums("t4", o.withThreads(4))).isEqualTo(one);
    assertThat(checksums("t7", o.withThreads(7))).isEqualTo(one);
  }

  @Test
  void sourceOrderOutputIsIdenticalForOneAndManyThreads() throws IOException {
    ConvertOptions o = ConvertOptions.defaults().withShardBytes(2000);

    assertThat(checksums("t3", o.withThreads(3))).isEqualTo(checksums("t1", o.withThreads(1)));
  }

  @Test
  void shuffleIsAPermutationOfTheSourceRecordsWithinEachSplit() throws IOException {
    checksums("plain", ConvertOptions.defaults());
    checksums("shuffled", ConvertOptions.defaults().withShuffle(3));

    for (String split : List.of("train", "test")) {
      List<Example> plain = examples(tmp.resolve("plain"), split);
      List<Example> shuffled = examples(tmp.resolve("shuffled"), split);
      assertThat(shuffled).isNotEqualTo(plain).containsExactlyInAnyOrderElementsOf(plain);
    }
  }

  @Test
  void differentSeedsGiveDifferentOrders() throws IOException {
    checksums("s1", ConvertOptions.defaults().withShuffle(1));
    checksums("s2", ConvertOptions.defaults().withShuffle(2));

    assertThat(examples(tmp.resolve("s1"), "train"))
        .isNotEqualTo(examples(tmp.resolve("s2"), "train"));
  }
}
