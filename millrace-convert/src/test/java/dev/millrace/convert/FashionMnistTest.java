package dev.millrace.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.millrace.records.Manifest;
import dev.millrace.records.SplitManifest;
import dev.millrace.records.proto.Example;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Fashion-MNIST files (Debian package dataset-fashion-mnist), where installed. */
@Tag("slow")
class FashionMnistTest {
  private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path tmp;

  private static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  @Test
  void fashionMnistConvertsTo60000TrainAnd10000TestExamplesMatchingTheSource() throws IOException {
    assumeThat(DATA.resolve("train-images-idx3-ubyte.gz")).exists();
    Path out = tmp.resolve("out");

    ConversionResult result =
        Converters.convert(
            SourceFormat.IDX,
            DATA,
            out,
            ConvertOptions.defaults().withShardBytes(16L * 1024 * 1024),
            ProgressListener.none());

    Manifest m = result.manifest();
    assertThat(m.splits())
        .extracting(SplitManifest::name, SplitManifest::records)
        .containsExactly(tuple("train", 60_000L), tuple("test", 10_000L));
    for (String split : List.of("train", "test")) {
      String prefix = split.equals("train") ? "train" : "t10k";
      byte[] images = gunzip(DATA.resolve(prefix + "-images-idx3-ubyte.gz"));
      byte[] labels = gunzip(DATA.resolve(prefix + "-labels-idx1-ubyte.gz"));
      List<Example> examples = TestData.examples(out, split);
      for (int i = 0; i < examples.size(); i++) {
        Example e = examples.get(i);
        assertThat(TestData.bytes(e, "image"))
            .isEqualTo(Arrays.copyOfRange(images, 16 + i * 784, 16 + (i + 1) * 784));
        assertThat(TestData.int64(e, "label")).isEqualTo(labels[8 + i]);
        assertThat(TestData.int64(e, "height")).isEqualTo(28);
        assertThat(TestData.int64(e, "width")).isEqualTo(28);
        assertThat(TestData.int64(e, "depth")).isEqualTo(1);
      }
    }
    // Fashion-MNIST's first training and test images are both class 9, ankle boot.
    assertThat(TestData.int64(TestData.examples(out, "train").get(0), "label")).isEqualTo(9);
    assertThat(TestData.int64(TestData.examples(out, "test").get(0), "label")).isEqualTo(9);
    assertThat(m.split("train").orElseThrow().shards()).hasSizeGreaterThan(1);
  }
}
