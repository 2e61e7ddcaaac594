package dev.millrace.convert;

import static dev.millrace.convert.TestData.assertNoOutput;
import static dev.millrace.convert.TestData.bytes;
import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.int64;
import static dev.millrace.convert.TestData.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.millrace.records.Manifest;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryConvertTest {
  private static final String DIR = "cifar-10-batches-bin/";
  private static final List<String> BATCHES =
      List.of(
          "data_batch_1.bin",
          "data_batch_2.bin",
          "data_batch_3.bin",
          "data_batch_4.bin",
          "data_batch_5.bin",
          "test_batch.bin");

  @TempDir Path tmp;

  /** {@code n} records of 1 label byte + 3072 pixel bytes; labels {@code (b + i) % 10}. */
  private static byte[] batch(int b, int n) {
    byte[] out = randomBytes(n * 3073, 100 + b);
    for (int i = 0; i < n; i++) {
      out[i * 3073] = (byte) ((b + i) % 10);
    }
    return out;
  }

  private Path archive(int n, Map<String, byte[]> overrides) throws IOException {
    Map<String, byte[]> entries = TestData.entries();
    entries.put(DIR, null);
    // Out of order, as in the real archive, and with the files that are not batches.
    entries.put(DIR + "batches.meta.txt", "airplane\n".getBytes());
    for (int b = BATCHES.size() - 1; b >= 0; b--) {
      entries.put(DIR + BATCHES.get(b), batch(b, n));
    }
    entries.putAll(overrides);
    return TestData.tarGz(tmp.resolve("cifar-10-binary.tar.gz"), entries);
  }

  private ConversionResult convert(Path archive, Path out) throws IOException {
    return Converters.convert(
        SourceFormat.CIFAR10_BIN,
        archive,
        out,
        ConvertOptions.defaults().withThreads(2),
        ProgressListener.none());
  }

  @Test
  void cifarBinaryRoundTripKeepsPixelsAndLabelsInTheGuidesSplits() throws IOException {
    Path out = tmp.resolve("out");

    Manifest m = convert(archive(3, Map.of()), out).manifest();

    assertThat(m.splits())
        .extracting(SplitManifest::name, SplitManifest::records)
        .containsExactly(tuple("train", 12L), tuple("validation", 3L), tuple("eval", 3L));
    List<Example> train = examples(out, "train");
    for (int b = 0; b < 4; b++) {
      byte[] source = batch(b, 3);
      for (int i = 0; i < 3; i++) {
        Example e = train.get(b * 3 + i);
        assertThat(bytes(e, "image"))
            .isEqualTo(Arrays.copyOfRange(source, i * 3073 + 1, (i + 1) * 3073));
        assertThat(int64(e, "label")).isEqualTo((b + i) % 10);
        assertThat(int64(e, "depth")).isEqualTo(3);
      }
    }
    assertThat(int64(examples(out, "validation").get(1), "label")).isEqualTo(5);
  }

  @Test
  void cifarBinaryRejectsAnEntryWhoseSizeIsNotAMultipleOf3073() throws IOException {
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of(DIR + "data_batch_4.bin", new byte[3073 * 2 + 5]));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "cifar-10-binary.tar.gz!cifar-10-batches-bin/data_batch_4.bin@6146 (record 2): ")
        .hasMessageContaining("size 6151 bytes is not a multiple of 3073")
        .hasMessageContaining("the last record is truncated to 5 bytes");
    assertNoOutput(out);
  }

  @Test
  void cifarBinaryRejectsALabelOutsideTheTenClassesNamingRecordAndOffset() throws IOException {
    byte[] bad = batch(0, 3);
    bad[2 * 3073] = 17;
    Path out = tmp.resolve("out");
    Path archive = archive(3, Map.of(DIR + "test_batch.bin", bad));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!cifar-10-batches-bin/test_batch.bin@6146 (record 2): label 17");
    assertNoOutput(out);
  }

  @Test
  void cifarBinaryRejectsAnEntryEscapingTheArchiveFolder() throws IOException {
    Path out = tmp.resolve("out");
    Path archive = archive(1, Map.of(DIR + "../../evil.bin", new byte[1]));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!cifar-10-batches-bin/../../evil.bin: ")
        .hasMessageContaining("escapes");
    assertNoOutput(out);
  }
}
