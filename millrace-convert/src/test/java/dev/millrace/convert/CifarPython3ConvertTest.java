package dev.millrace.convert;

import static dev.millrace.convert.TestData.assertNoOutput;
import static dev.millrace.convert.TestData.bytes;
import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.int64;
import static dev.millrace.convert.TestData.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.records.proto.Example;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@code cifar-10-python.tar.gz} as Python 3 writes it again — each batch at another protocol (2 to
 * 5), with {@code str} or {@code bytes} keys, labels a list, a list of numpy integers or a numpy
 * array — converts to the same records as the same images in CIFAR-10's binary format. Both
 * archives were written by {@code make_pickles.py} ({@link PythonPickles}).
 */
class CifarPython3ConvertTest {
  static final List<String> NUMPY_VERSIONS = PythonPickles.NUMPY_VERSIONS;
  private static final List<String> SPLITS = List.of("train", "validation", "eval");
  private static final Map<String, List<String>> SPLIT_BATCHES =
      Map.of(
          "train", List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4"),
          "validation", List.of("data_batch_5"),
          "eval", List.of("test_batch"));

  @TempDir Path tmp;

  private static ConversionResult convert(SourceFormat format, Path archive, Path out)
      throws IOException {
    return Converters.convert(
        format, archive, out, ConvertOptions.defaults().withThreads(2), ProgressListener.none());
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("NUMPY_VERSIONS")
  void convertsToTheSameRecordsAsTheBinaryFormat(String numpy) throws IOException {
    Path fromPickles = tmp.resolve("pickles");
    Path fromBinary = tmp.resolve("binary");

    convert(SourceFormat.CIFAR10, PythonPickles.file(numpy, "cifar-10-python.tar.gz"), fromPickles);
    convert(
        SourceFormat.CIFAR10_BIN, PythonPickles.file(null, "cifar-10-binary.tar.gz"), fromBinary);

    for (String split : SPLITS) {
      List<byte[]> expected = records(fromBinary, split);
      List<byte[]> actual = records(fromPickles, split);
      assertThat(actual).as(split).hasSize(SPLIT_BATCHES.get(split).size() * 3);
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i)).as("%s record %d", split, i).isEqualTo(expected.get(i));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("NUMPY_VERSIONS")
  void keepsTheLabelsAndPixelsPythonWrote(String numpy) throws IOException {
    Path out = tmp.resolve("out");
    convert(SourceFormat.CIFAR10, PythonPickles.file(numpy, "cifar-10-python.tar.gz"), out);
    JsonNode batches = PythonPickles.expected(numpy).get("archives").get("cifar-10-python.tar.gz");

    for (String split : SPLITS) {
      List<Example> examples = examples(out, split);
      int row = 0;
      for (String batch : SPLIT_BATCHES.get(split)) {
        JsonNode entry = batches.get(batch);
        byte[] labels = PythonPickles.labels(entry);
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        for (byte label : labels) {
          Example e = examples.get(row++);
          assertThat(int64(e, "label")).as("%s row %d", batch, row).isEqualTo(label);
          pixels.write(bytes(e, "image"));
        }
        assertThat(PythonPickles.sha256(pixels.toByteArray()))
            .as(batch)
            .isEqualTo(entry.get("data_sha256").asText());
      }
      assertThat(row).isEqualTo(examples.size());
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("NUMPY_VERSIONS")
  void refusesTheArchiveWhenABatchCallsAFunctionByStackGlobal(String numpy) throws IOException {
    Map<String, byte[]> entries = untar(PythonPickles.file(numpy, "cifar-10-python.tar.gz"));
    entries.put(
        "cifar-10-batches-py/data_batch_3", PythonPickles.bytes(numpy, "hostile-p4-system.pkl"));
    Path archive = TestData.tarGz(tmp.resolve("cifar-10-python.tar.gz"), entries);
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(SourceFormat.CIFAR10, archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            archive
                + "!cifar-10-batches-py/data_batch_3@37: global 'posix system' is"
                + " not allowed (only numpy's array reconstruction: numpy.core.multiarray"
                + " _reconstruct, numpy._core.multiarray _reconstruct, numpy.core.numeric"
                + " _frombuffer, numpy._core.numeric _frombuffer, numpy.core.multiarray scalar,"
                + " numpy._core.multiarray scalar, numpy ndarray, numpy dtype, _codecs encode,"
                + " __builtin__ bytes, builtins bytes)");
    assertNoOutput(out);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("NUMPY_VERSIONS")
  void refusesTheArchiveWhenABatchHoldsImagesAsNhwc(String numpy) throws IOException {
    Map<String, byte[]> entries = untar(PythonPickles.file(numpy, "cifar-10-python.tar.gz"));
    entries.put("cifar-10-batches-py/test_batch", PythonPickles.bytes(numpy, "refuse-p4-nhwc.pkl"));
    Path archive = TestData.tarGz(tmp.resolve("cifar-10-python.tar.gz"), entries);
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(SourceFormat.CIFAR10, archive, out))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            archive
                + "!cifar-10-batches-py/test_batch: 'data' has shape [2, 32, 32,"
                + " 3], expected (n, 3072)");
    assertNoOutput(out);
  }

  /** The entries of a .tar.gz, in order; folders map to null. */
  private static Map<String, byte[]> untar(Path archive) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.put(e.getName(), e.isDirectory() ? null : tar.readAllBytes());
      }
    }
    assertThat(entries.keySet()).anyMatch(n -> n.endsWith("/data_batch_1"));
    return entries;
  }
}
