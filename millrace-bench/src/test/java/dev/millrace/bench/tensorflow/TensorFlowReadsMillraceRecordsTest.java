package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.convert.ConvertOptions;
import dev.millrace.convert.Converters;
import dev.millrace.convert.ProgressListener;
import dev.millrace.convert.SourceFormat;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordReader;
import dev.millrace.records.RecordWriter;
import dev.millrace.testkit.TestData;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A TensorFlow reader accepts our files: TFRecord files written by Millrace are read by TensorFlow
 * 2.18 itself ({@code TFRecordDataset} + {@code ParseExampleV2} + {@code DecodeRaw}, through
 * TensorFlow Java), and what TensorFlow sees must sum to the figures of the manifest of {@code
 * testdata/tensorflow/records}.
 */
@Tag("tensorflow")
class TensorFlowReadsMillraceRecordsTest {
  private static final Path FASHION_IDX = Path.of("/usr/share/datasets/fashion-mnist");

  private static Path golden;
  private static List<byte[]> goldenPayloads;
  private static JsonNode expected;

  @BeforeAll
  static void readGolden() throws IOException {
    golden = TestData.tensorflow("records/fashion-train-500.tfrecord");
    goldenPayloads = new ArrayList<>();
    try (RecordReader r = RecordReader.open(golden)) {
      while (r.next()) {
        goldenPayloads.add(r.copyRecord());
      }
    }
    JsonNode manifest =
        new ObjectMapper().readTree(TestData.tensorflow("records/manifest.json").toFile());
    for (JsonNode file : manifest.get("files")) {
      if (file.get("file").asText().equals("fashion-train-500.tfrecord")) {
        expected = file.get("verify_records_output");
      }
    }
    assertThat(expected).as("verify_records_output of fashion-train-500.tfrecord").isNotNull();
    assertThat(goldenPayloads).hasSize(expected.get("records").asInt());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void tensorFlowReadsRecordsWrittenByMillrace(Compression compression, @TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("fashion-train-500.tfrecord" + compression.suffix());
    try (RecordWriter w = RecordWriter.create(file, compression)) {
      for (byte[] payload : goldenPayloads) {
        w.write(payload);
      }
    }

    TfFashionReader.Totals seen = TfFashionReader.read(List.of(file), compression);

    List<Long> firstLabels = new ArrayList<>();
    expected.get("first_labels").forEach(n -> firstLabels.add(n.asLong()));
    assertThat(seen.records()).isEqualTo(expected.get("records").asLong());
    assertThat(seen.labelSum()).isEqualTo(expected.get("label_sum").asLong());
    assertThat(seen.pixelSum()).isEqualTo(expected.get("image_bytes_sum").asLong());
    assertThat(seen.firstLabels()).isEqualTo(firstLabels);
  }

  @Test
  void tensorFlowReadsTheGoldenFileAsTheManifestSays() {
    TfFashionReader.Totals seen = TfFashionReader.read(List.of(golden), Compression.NONE);

    assertThat(seen.records()).isEqualTo(expected.get("records").asLong());
    assertThat(seen.labelSum()).isEqualTo(expected.get("label_sum").asLong());
    assertThat(seen.pixelSum()).isEqualTo(expected.get("image_bytes_sum").asLong());
  }

  @Test
  void tensorFlowReadsShardsWrittenByTheIdxConverter(@TempDir Path out) throws IOException {
    assumeTrue(
        Files.isDirectory(FASHION_IDX), "Fashion-MNIST (dataset-fashion-mnist) not installed");
    Converters.convert(
        SourceFormat.IDX,
        FASHION_IDX,
        out,
        ConvertOptions.defaults().withCompression(Compression.GZIP).withShardBytes(4 << 20),
        ProgressListener.none());

    for (String split : List.of("train", "t10k")) {
      String shardPrefix = split.equals("train") ? "train-" : "test-";
      List<Path> shards;
      try (Stream<Path> files = Files.list(out)) {
        shards =
            files.filter(p -> p.getFileName().toString().startsWith(shardPrefix)).sorted().toList();
      }
      assertThat(shards).as("%s shards", split).hasSizeGreaterThan(1);

      TfFashionReader.Totals seen = TfFashionReader.read(shards, Compression.GZIP);

      IdxSums idx = IdxSums.of(FASHION_IDX, split);
      assertThat(seen.records()).isEqualTo(idx.count());
      assertThat(seen.labelSum()).isEqualTo(idx.labelSum());
      assertThat(seen.pixelSum()).isEqualTo(idx.pixelSum());
    }
  }

  /** The same sums computed straight from the IDX files, without Millrace or TensorFlow. */
  private record IdxSums(long count, long labelSum, long pixelSum) {
    static IdxSums of(Path dir, String split) throws IOException {
      long labelSum = 0;
      long count;
      try (DataInputStream in = gunzip(dir.resolve(split + "-labels-idx1-ubyte.gz"))) {
        in.readInt();
        count = in.readInt();
        for (long i = 0; i < count; i++) {
          labelSum += in.readUnsignedByte();
        }
      }
      long pixelSum = 0;
      try (DataInputStream in = gunzip(dir.resolve(split + "-images-idx3-ubyte.gz"))) {
        in.skipNBytes(16);
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            pixelSum += buf[i] & 0xff;
          }
        }
      }
      return new IdxSums(count, labelSum, pixelSum);
    }

    private static DataInputStream gunzip(Path file) throws IOException {
      InputStream raw = Files.newInputStream(file);
      return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    }
  }
}
