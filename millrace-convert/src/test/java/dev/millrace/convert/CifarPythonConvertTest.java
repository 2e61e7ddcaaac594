package dev.millrace.convert;

import static dev.millrace.convert.TestData.assertNoOutput;
import static dev.millrace.convert.TestData.bytes;
import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.int64;
import static dev.millrace.convert.TestData.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.millrace.convert.internal.PickleWriter;
import dev.millrace.records.Manifest;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarPythonConvertTest {
  private static final String DIR = "cifar-10-batches-py/";
  private static final List<String> BATCHES =
      List.of(
          "data_batch_1",
          "data_batch_2",
          "data_batch_3",
          "data_batch_4",
          "data_batch_5",
          "test_batch");

  @TempDir Path tmp;

  private ConversionResult convert(Path archive, Path out) throws IOException {
    return Converters.convert(
        SourceFormat.CIFAR10,
        archive,
        out,
        ConvertOptions.defaults().withThreads(3),
        ProgressListener.none());
  }

  /** A batch pickle as cPickle writes it, with the given rows and labels. */
  static byte[] batchPickle(byte[] data, int[] labels) {
    PickleWriter p = new PickleWriter().proto2().emptyDict().memoize().mark();
    p.str("data").memoize().uint8Array(new int[] {labels.length, 3072}, data).memoize();
    p.str("labels").memoize().emptyList().memoize().mark();
    for (int l : labels) {
      p.integer(l);
    }
    p.appends();
    p.str("batch_label").memoize().str("training batch").memoize();
    return p.setitems().stop().toByteArray();
  }

  /** An archive of six good batches of {@code n} rows, with entries replaced or added. */
  private Path archive(int n, Map<String, byte[]> overrides) throws IOException {
    Map<String, byte[]> entries = TestData.entries();
    entries.put(DIR, null);
    for (int b = 0; b < BATCHES.size(); b++) {
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = (b + i) % 10;
      }
      entries.put(DIR + BATCHES.get(b), batchPickle(randomBytes(n * 3072, b), labels));
    }
    entries.putAll(overrides);
    entries.values().removeIf(v -> v != null && v.length == 0);
    return TestData.tarGz(tmp.resolve("cifar-10-python.tar.gz"), entries);
  }

  @Test
  void cifarPythonSplitsAsThePerformanceGuideTrainValidationEval() throws IOException {
    Path out = tmp.resolve("out");

    Manifest m = convert(archive(3, Map.of()), out).manifest();

    assertThat(m.splits())
        .extracting(SplitManifest::name, SplitManifest::records)
        .containsExactly(tuple("train", 12L), tuple("validation", 3L), tuple("eval", 3L));
  }

  @Test
  void cifarPythonKeepsThePlanarRowsAndLabelsInBatchOrder() throws IOException {
    Path out = tmp.resolve("out");

    convert(archive(4, Map.of()), out);

    List<Example> train = examples(out, "train");
    for (int b = 0; b < 4; b++) {
      byte[] data = randomBytes(4 * 3072, b);
      for (int i = 0; i < 4; i++) {
        Example e = train.get(b * 4 + i);
        assertThat(bytes(e, "image")).isEqualTo(Arrays.copyOfRange(data, i * 3072, (i + 1) * 3072));
        assertThat(int64(e, "label")).isEqualTo((b + i) % 10);
        assertThat(int64(e, "height")).isEqualTo(32);
        assertThat(int64(e, "width")).isEqualTo(32);
        assertThat(int64(e, "depth")).isEqualTo(3);
      }
    }
    Example firstEval = examples(out, "eval").get(0);
    assertThat(bytes(firstEval, "image")).isEqualTo(Arrays.copyOf(randomBytes(4 * 3072, 5), 3072));
  }

  @Test
  void cifarPythonRejectsEntryEscapingWithDotDotNamingIt() throws IOException {
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of("../evil", new byte[] {1}));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cifar-10-python.tar.gz!../evil: ")
        .hasMessageContaining("escapes");
    assertNoOutput(out);
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void cifarPythonRejectsAbsoluteEntryName() throws IOException {
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of("/tmp/evil", new byte[] {1}));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!/tmp/evil: ")
        .hasMessageContaining("escapes");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsAPickleNamingAGlobalOutsideNumpy() throws IOException {
    byte[] evil =
        new PickleWriter()
            .proto2()
            .global("os", "system")
            .str("echo pwned")
            .tuple(1)
            .reduce()
            .stop()
            .toByteArray();
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of(DIR + "data_batch_3", evil));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cifar-10-python.tar.gz!cifar-10-batches-py/data_batch_3@2: ")
        .hasMessageContaining("global 'os system' is not allowed");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsABatchWhoseDataIsNotAnArray() throws IOException {
    byte[] listData =
        new PickleWriter()
            .proto2()
            .emptyDict()
            .mark()
            .str("data")
            .emptyList()
            .str("labels")
            .emptyList()
            .setitems()
            .stop()
            .toByteArray();
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of(DIR + "test_batch", listData));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!cifar-10-batches-py/test_batch: ")
        .hasMessageContaining("'data' is a list, expected a uint8 numpy array");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsAFloatArray() throws IOException {
    PickleWriter p = new PickleWriter().proto2().emptyDict().mark().str("data");
    p.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
    p.integer(0).tuple(1).str("b").tuple(3).reduce();
    p.mark().integer(1).integer(1).integer(1).tuple(2);
    p.global("numpy", "dtype").str("f4").integer(0).integer(1).tuple(3).reduce();
    p.mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0);
    p.tuple(8).build().bool(false).str(new byte[4]).tuple(5).build();
    p.str("labels").emptyList().integer(0).append().setitems().stop();
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of(DIR + "data_batch_1", p.toByteArray()));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!cifar-10-batches-py/data_batch_1: ")
        .hasMessageContaining("dtype <f4, expected uint8");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsALabelOutsideTheTenClassesNamingTheRecord() throws IOException {
    Path out = tmp.resolve("out");
    byte[] bad = batchPickle(new byte[2 * 3072], new int[] {3, 10});
    Path archive = archive(2, Map.of(DIR + "data_batch_2", bad));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("!cifar-10-batches-py/data_batch_2 (record 1): label 10");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsAnArchiveWithoutABatch() throws IOException {
    Path out = tmp.resolve("out");
    Path archive = archive(2, Map.of(DIR + "data_batch_5", new byte[0]));

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cifar-10-python.tar.gz: no entry named data_batch_5");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsAnEntryLargerThanTheLimitBeforeReadingIt() throws IOException {
    // A header that declares 300 MiB, and no data after it: the size alone must be refused.
    TarArchiveEntry huge = new TarArchiveEntry(DIR + "data_batch_1");
    huge.setSize(300L * 1024 * 1024);
    byte[] header = new byte[512];
    huge.writeEntryHeader(header);
    Path archive = tmp.resolve("huge.tar.gz");
    try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(archive))) {
      gz.write(header);
    }
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("huge.tar.gz!cifar-10-batches-py/data_batch_1: ")
        .hasMessageContaining("larger than the 268435456-byte limit");
    assertNoOutput(out);
  }

  @Test
  void cifarPythonRejectsAFileThatIsNotGzip() throws IOException {
    Path archive = Files.writeString(tmp.resolve("cifar-10-python.tar.gz"), "not gzip");

    assertThatThrownBy(() -> convert(archive, tmp.resolve("out")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cifar-10-python.tar.gz: not a gzip-compressed tar archive");
  }
}
