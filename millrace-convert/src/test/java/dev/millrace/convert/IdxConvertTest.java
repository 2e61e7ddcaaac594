package dev.millrace.convert;

import static dev.millrace.convert.TestData.assertNoOutput;
import static dev.millrace.convert.TestData.bytes;
import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.idx;
import static dev.millrace.convert.TestData.idxPair;
import static dev.millrace.convert.TestData.int64;
import static dev.millrace.convert.TestData.randomBytes;
import static dev.millrace.convert.TestData.randomLabels;
import static dev.millrace.convert.TestData.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.millrace.records.Compression;
import dev.millrace.records.FeatureSchema;
import dev.millrace.records.FeatureType;
import dev.millrace.records.Manifest;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import dev.millrace.testkit.EndedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxConvertTest {
  @TempDir Path tmp;

  private final ConvertOptions options = ConvertOptions.defaults().withThreads(2);

  private ConversionResult convert(Path input, Path out, ConvertOptions o) throws IOException {
    return Converters.convert(SourceFormat.IDX, input, out, o, ProgressListener.none());
  }

  @Test
  void idxRoundTripKeepsEveryImageAndLabelInSourceOrder() throws IOException {
    Path in = tmp.resolve("in");
    byte[] pixels = randomBytes(50 * 5 * 4, 1);
    byte[] labels = randomLabels(50, 2);
    write(in.resolve("train-images-idx3-ubyte.gz"), idx(0x803, new int[] {50, 5, 4}, pixels));
    write(in.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {50}, labels));
    Path out = tmp.resolve("out");

    convert(in, out, options);

    List<Example> train = examples(out, "train");
    assertThat(train).hasSize(50);
    for (int i = 0; i < 50; i++) {
      Example e = train.get(i);
      assertThat(bytes(e, "image")).isEqualTo(Arrays.copyOfRange(pixels, i * 20, i * 20 + 20));
      assertThat(int64(e, "label")).isEqualTo(labels[i]);
      assertThat(int64(e, "height")).isEqualTo(5);
      assertThat(int64(e, "width")).isEqualTo(4);
      assertThat(int64(e, "depth")).isEqualTo(1);
    }
  }

  @Test
  void idxExamplesAreSerializedWithFeaturesInSortedKeyOrderImageBeforeLabel() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 3, 2, 2, 7);
    Path out = tmp.resolve("out");

    convert(in, out, options);

    for (byte[] record : TestData.records(out, "train")) {
      String text = new String(record, StandardCharsets.ISO_8859_1);
      List<Integer> at = new ArrayList<>();
      for (String key : List.of("depth", "height", "image", "label", "width")) {
        at.add(text.indexOf(key));
      }
      assertThat(at).doesNotContain(-1).isSorted();
    }
  }

  @Test
  void idxSplitNamesComeFromFileNamesTrainFirst() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "t10k", ".gz", 3, 2, 2, 1);
    idxPair(in, "train", ".gz", 4, 2, 2, 2);
    idxPair(in, "extra", "", 2, 2, 2, 3);
    Path out = tmp.resolve("out");

    Manifest m = convert(in, out, options).manifest();

    assertThat(m.splits())
        .extracting(SplitManifest::name)
        .containsExactly("train", "test", "extra");
    assertThat(m.splits()).extracting(SplitManifest::records).containsExactly(4L, 3L, 2L);
  }

  @Test
  void idxTestPrefixAlsoNamesTheTestSplit() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "test", "", 3, 2, 2, 1);
    Path out = tmp.resolve("out");

    assertThat(convert(in, out, options).manifest().split("test")).isPresent();
  }

  @Test
  void idxAcceptsOneImagesFileAndFindsItsLabels() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", ".gz", 4, 2, 2, 1);
    idxPair(in, "t10k", ".gz", 3, 2, 2, 2);
    Path out = tmp.resolve("out");

    Manifest m = convert(in.resolve("t10k-images-idx3-ubyte.gz"), out, options).manifest();

    assertThat(m.splits()).extracting(SplitManifest::name).containsExactly("test");
  }

  @Test
  void idxSmallShardSizeCutsTheSplitIntoTensorFlowNamedShards() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 30, 4, 4, 1);
    Path out = tmp.resolve("out");

    // One Example here is about 60 bytes framed; 200 bytes hold three of them.
    Manifest m = convert(in, out, options.withShardBytes(200)).manifest();

    List<ShardInfo> shards = m.split("train").orElseThrow().shards();
    assertThat(shards).hasSizeGreaterThan(3);
    for (int i = 0; i < shards.size(); i++) {
      assertThat(shards.get(i).file())
          .isEqualTo(String.format("train-%05d-of-%05d.tfrecord", i, shards.size()));
      assertThat(shards.get(i).bytes()).isLessThanOrEqualTo(200);
    }
    assertThat(shards.stream().mapToLong(ShardInfo::records).sum()).isEqualTo(30);
    assertThat(examples(out, "train")).hasSize(30);
  }

  @Test
  void idxManifestDescribesSplitsShardsChecksumsAndSchema() throws Exception {
    Path in = tmp.resolve("in");
    idxPair(in, "train", ".gz", 12, 3, 3, 1);
    idxPair(in, "t10k", ".gz", 5, 3, 3, 2);
    Path out = tmp.resolve("out");

    ConversionResult result = convert(in, out, options.withShardBytes(300));

    Manifest onDisk = TestData.manifest(out);
    assertThat(onDisk).isEqualTo(result.manifest());
    assertThat(result.outputDir()).isEqualTo(out);
    assertThat(result.elapsed()).isPositive();
    assertThat(onDisk.format()).isEqualTo("tfrecord");
    assertThat(onDisk.source()).startsWith("idx:").endsWith("in");
    assertThat(onDisk.totalRecords()).isEqualTo(17);
    for (SplitManifest split : onDisk.splits()) {
      assertThat(split.compression()).isEqualTo(Compression.NONE);
      for (ShardInfo shard : split.shards()) {
        byte[] file = Files.readAllBytes(out.resolve(shard.file()));
        assertThat(shard.bytes()).isEqualTo(file.length);
        assertThat(shard.sha256())
            .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)));
      }
      assertThat(split.schema())
          .extracting(FeatureSchema::name, FeatureSchema::type, FeatureSchema::examples)
          .containsExactly(
              tuple("depth", FeatureType.INT64, split.records()),
              tuple("height", FeatureType.INT64, split.records()),
              tuple("image", FeatureType.BYTES, split.records()),
              tuple("label", FeatureType.INT64, split.records()),
              tuple("width", FeatureType.INT64, split.records()));
      assertThat(split.schema().get(2).maxValueBytes()).isEqualTo(9);
    }
    assertThat(TestData.listing(out)).noneMatch(n -> n.startsWith("."));
  }

  @Test
  void idxGzipCompressionWritesGzShardsThatReadBack() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 10, 3, 3, 1);
    Path out = tmp.resolve("out");

    Manifest m = convert(in, out, options.withCompression(Compression.GZIP)).manifest();

    SplitManifest train = m.split("train").orElseThrow();
    assertThat(train.compression()).isEqualTo(Compression.GZIP);
    assertThat(train.shards()).allMatch(s -> s.file().endsWith(".tfrecord.gz"));
    assertThat(examples(out, "train")).hasSize(10);
  }

  @Test
  void progressSeesEachSplitBeginAdvanceToItsTotalAndEnd() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 250, 2, 2, 1);
    idxPair(in, "t10k", "", 30, 2, 2, 2);
    List<String> events = new ArrayList<>();
    long[] advanced = {0};
    ProgressListener listener =
        new ProgressListener() {
          @Override
          public void begin(String task, long totalUnits) {
            events.add("begin " + task + " " + totalUnits);
            advanced[0] = 0;
          }

          @Override
          public void advance(long units) {
            advanced[0] += units;
          }

          @Override
          public void end() {
            events.add("end " + advanced[0]);
          }
        };

    Converters.convert(SourceFormat.IDX, in, tmp.resolve("out"), options, listener);

    assertThat(events).containsExactly("begin train 250", "end 250", "begin test 30", "end 30");
  }

  @Test
  void idxRejectsWrongMagicNamingFileAndOffset() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", ".gz", 4, 2, 2, 1);
    write(in.resolve("train-images-idx3-ubyte.gz"), idx(0x802, new int[] {4, 2}, new byte[8]));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz@0: ")
        .hasMessageContaining("magic 0x00000802, expected 0x00000803");
    assertNoOutput(out);
  }

  @Test
  void idxRejectsSizeThatDisagreesWithTheCountNamingExpectedAndActual() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 4, 2, 2, 1);
    // The header promises 5 images; the file holds 4.
    write(in.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {5, 2, 2}, new byte[16]));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-images-idx3-ubyte: ")
        .hasMessageContaining("size 32 bytes, expected 36")
        .hasMessageContaining("5x2x2");
    assertNoOutput(out);
  }

  @Test
  void idxRejectsTrailingBytesAfterTheData() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 4, 2, 2, 1);
    write(in.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {4}, new byte[6]));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-labels-idx1-ubyte: size 14 bytes, expected 12");
    assertNoOutput(out);
  }

  @Test
  void idxRejectsImageAndLabelCountMismatch() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", ".gz", 4, 2, 2, 1);
    write(in.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {3}, new byte[3]));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-labels-idx1-ubyte.gz@4: ")
        .hasMessageContaining("3 labels, but train-images-idx3-ubyte.gz has 4 images");
    assertNoOutput(out);
  }

  @Test
  void idxRejectsImagesFileWithoutLabels() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 4, 2, 2, 1);
    Files.delete(in.resolve("train-labels-idx1-ubyte"));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-images-idx3-ubyte: no labels file");
    assertNoOutput(out);
  }

  @Test
  void idxRejectsTruncatedGzipStream() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", ".gz", 40, 8, 8, 1);
    Path images = in.resolve("train-images-idx3-ubyte.gz");
    byte[] gz = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(gz, gz.length / 2));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(in, out, options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz: not a valid gzip stream");
    assertNoOutput(out);
  }

  @Test
  void failureInALaterSplitLeavesNoShardOfTheEarlierOne() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 20, 2, 2, 1);
    idxPair(in, "t10k", "", 5, 2, 2, 2);
    write(in.resolve("t10k-images-idx3-ubyte"), idx(0x801, new int[] {5}, new byte[5]));
    Path out = tmp.resolve("out");
    Files.createDirectories(out);

    assertThatThrownBy(() -> convert(in, out, options.withShardBytes(100)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("t10k-images-idx3-ubyte@0");
    assertNoOutput(out);
    assertThat(out).isDirectory();
  }

  @Test
  void failedRunLeavesAnEarlierRunsOutputAsItWas() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 20, 2, 2, 1);
    Path out = tmp.resolve("out");
    convert(in, out, options);
    List<String> before = TestData.listing(out);
    byte[] manifest = Files.readAllBytes(out.resolve(Manifest.FILE_NAME));

    write(in.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {21, 2, 2}, new byte[84]));
    assertThatThrownBy(() -> convert(in, out, options)).isInstanceOf(BadInputException.class);

    assertThat(TestData.listing(out)).isEqualTo(before);
    assertThat(Files.readAllBytes(out.resolve(Manifest.FILE_NAME))).isEqualTo(manifest);
  }

  @Test
  void failedRunRemovesTheOutputFolderItCreated() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 4, 2, 2, 1);
    write(in.resolve("train-images-idx3-ubyte"), idx(0x800, new int[] {}, new byte[0]));
    Path out = tmp.resolve("new/out");

    assertThatThrownBy(() -> convert(in, out, options)).isInstanceOf(BadInputException.class);
    assertThat(out).doesNotExist();
  }

  @Test
  void rerunWithFewerShardsRemovesTheEarlierRunsShardsOfThatSplit() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 30, 4, 4, 1);
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "kept");
    convert(in, out, options.withShardBytes(200));

    convert(in, out, options);

    assertThat(TestData.listing(out))
        .containsExactly("manifest.json", "notes.txt", "train-00000-of-00001.tfrecord");
  }

  @Test
  void missingInputIsAnIOExceptionNamingIt() {
    Path missing = tmp.resolve("nothing-here");

    assertThatThrownBy(() -> convert(missing, tmp.resolve("out"), options))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nothing-here");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void folderWithoutIdxFilesIsBadInput() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));

    assertThatThrownBy(() -> convert(in, tmp.resolve("out"), options))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no *-images-idx3-ubyte[.gz] file");
  }

  @Test
  void interruptingTheConvertingThreadCancelsAndLeavesNoOutput() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 5000, 2, 2, 1);
    ProgressListener interruptOnFirstAdvance =
        new ProgressListener() {
          @Override
          public void begin(String task, long totalUnits) {}

          @Override
          public void advance(long units) {
            Thread.currentThread().interrupt();
          }

          @Override
          public void end() {}
        };
    for (int threads : new int[] {1, 4}) {
      Path out = tmp.resolve("out" + threads);
      try {
        assertThatThrownBy(
                () ->
                    Converters.convert(
                        SourceFormat.IDX,
                        in,
                        out,
                        options.withThreads(threads),
                        interruptOnFirstAdvance))
            .isInstanceOf(java.io.InterruptedIOException.class);
      } finally {
        Thread.interrupted();
      }
      assertNoOutput(out);
    }
  }

  @Test
  void aRunRemovesTheStagingFoldersOfKilledRunsAndKeepsThoseOfRunningOnes() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 20, 2, 2, 1);
    Path out = Files.createDirectories(tmp.resolve("out"));
    long dead = EndedProcess.pid();
    Path killed = Files.createDirectories(out.resolve(".millrace-staging-" + dead + "-17/nested"));
    Files.write(killed.resolveSibling("train-00000-of-00001.tfrecord"), new byte[100]);
    Path running =
        Files.createDirectory(
            out.resolve(".millrace-staging-" + ProcessHandle.current().pid() + "-18"));
    Path unknown = Files.createDirectory(out.resolve(".millrace-staging-8123456789"));

    convert(in, out, options);

    // In any order: where the running folder sorts depends on this process's id.
    assertThat(TestData.listing(out))
        .containsExactlyInAnyOrder(
            running.getFileName().toString(),
            unknown.getFileName().toString(),
            "manifest.json",
            "train-00000-of-00001.tfrecord");
  }

  @Test
  void aFailureWhileMovingShardsOutLeavesNoManifestAndTakesTheMovedShardsBack() throws IOException {
    Path in = tmp.resolve("in");
    idxPair(in, "train", "", 30, 4, 4, 1);
    ConvertOptions small = options.withShardBytes(200);
    List<ShardInfo> shards =
        convert(in, tmp.resolve("scratch"), small).manifest().split("train").orElseThrow().shards();
    Path out = tmp.resolve("out");
    convert(in, out, options);
    // A folder under the last shard's name cannot be replaced by a file: the last move fails.
    Path blocker = Files.createDirectories(out.resolve(shards.getLast().file()).resolve("x"));

    assertThatThrownBy(() -> convert(in, out, small)).isInstanceOf(IOException.class);

    assertThat(TestData.listing(out))
        .containsExactly("train-00000-of-00001.tfrecord", shards.getLast().file());
    assertThat(blocker).isDirectory();
  }
}
