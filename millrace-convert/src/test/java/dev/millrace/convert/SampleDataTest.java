package dev.millrace.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataTest {
  @TempDir Path tmp;

  private static Map<String, byte[]> entries(Path archive) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        out.put(e.getName(), tar.readAllBytes());
      }
    }
    return out;
  }

  @Test
  void sampleHasTheRealArchivesLayoutAndPickleHeader() throws IOException {
    Path archive = SampleData.writeCifar10PythonSample(tmp.resolve("cifar-10-python.tar.gz"), 5, 1);

    Map<String, byte[]> entries = entries(archive);

    assertThat(new ArrayList<>(entries.keySet()))
        .containsExactlyInAnyOrder(
            "cifar-10-batches-py/",
            "cifar-10-batches-py/data_batch_1",
            "cifar-10-batches-py/data_batch_2",
            "cifar-10-batches-py/data_batch_3",
            "cifar-10-batches-py/data_batch_4",
            "cifar-10-batches-py/data_batch_5",
            "cifar-10-batches-py/test_batch",
            "cifar-10-batches-py/batches.meta",
            "cifar-10-batches-py/readme.html");
    byte[] batch = entries.get("cifar-10-batches-py/data_batch_1");
    // PROTO 2, EMPTY_DICT, BINPUT 1, MARK, SHORT_BINSTRING 'data', as Python 2's cPickle begins.
    assertThat(HexFormat.of().formatHex(batch, 0, 12)).isEqualTo("80027d710128550464617461");
    String text = new String(batch, StandardCharsets.ISO_8859_1);
    assertThat(text)
        .contains("cnumpy.core.multiarray\n_reconstruct\n")
        .contains("cnumpy\nndarray\n")
        .contains("cnumpy\ndtype\n")
        .contains("labels", "batch_label", "filenames", "training batch 1 of 5");
    assertThat(
            new String(
                entries.get("cifar-10-batches-py/batches.meta"), StandardCharsets.ISO_8859_1))
        .contains("label_names", "airplane", "truck");
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedDifferentOnes() throws IOException {
    Path a = SampleData.writeCifar10PythonSample(tmp.resolve("a.tar.gz"), 3, 9);
    Path b = SampleData.writeCifar10PythonSample(tmp.resolve("b.tar.gz"), 3, 9);
    Path c = SampleData.writeCifar10PythonSample(tmp.resolve("c.tar.gz"), 3, 10);

    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(c));
  }

  @Test
  void sampleConvertsToTheThreeCifarSplits() throws IOException {
    Path archive = SampleData.writeCifar10PythonSample(tmp.resolve("s/cifar.tar.gz"), 7, 3);

    Manifest m =
        Converters.convert(
                SourceFormat.CIFAR10,
                archive,
                tmp.resolve("out"),
                ConvertOptions.defaults(),
                ProgressListener.none())
            .manifest();

    assertThat(m.split("train").orElseThrow().records()).isEqualTo(28);
    assertThat(m.split("validation").orElseThrow().records()).isEqualTo(7);
    assertThat(m.split("eval").orElseThrow().records()).isEqualTo(7);
    assertThat(TestData.examples(tmp.resolve("out"), "eval"))
        .allSatisfy(e -> assertThat(TestData.int64(e, "label")).isBetween(0L, 9L));
  }

  @Test
  void sampleImagesOfAClassShareItsColour() throws IOException {
    Path archive = SampleData.writeCifar10PythonSample(tmp.resolve("cifar.tar.gz"), 200, 4);
    Path out = tmp.resolve("out");
    Converters.convert(
        SourceFormat.CIFAR10, archive, out, ConvertOptions.defaults(), ProgressListener.none());

    // Mean red of class 0 (red) is far above that of class 2 (blue): the data can be learned.
    double[] sum = new double[10];
    int[] count = new int[10];
    for (var e : TestData.examples(out, "train")) {
      int label = (int) TestData.int64(e, "label");
      byte[] image = TestData.bytes(e, "image");
      for (int i = 0; i < 1024; i++) {
        sum[label] += image[i] & 0xff;
      }
      count[label]++;
    }
    assertThat(sum[0] / count[0] / 1024).isGreaterThan(sum[2] / count[2] / 1024 + 80);
  }

  @Test
  void sampleRefusesAnImageCountOutsideOneToTenThousand() {
    assertThatThrownBy(() -> SampleData.writeCifar10PythonSample(tmp.resolve("x"), 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imagesPerBatch: 0");
  }

  @Test
  void oneImagePerBatchStillConvertsToSixRecords() throws IOException {
    // cPickle writes a one-item list with APPEND instead of MARK ... APPENDS.
    Path archive = SampleData.writeCifar10PythonSample(tmp.resolve("cifar.tar.gz"), 1, 4);

    Manifest m =
        Converters.convert(
                SourceFormat.CIFAR10,
                archive,
                tmp.resolve("out"),
                ConvertOptions.defaults(),
                ProgressListener.none())
            .manifest();

    assertThat(m.totalRecords()).isEqualTo(6);
  }
}
