package dev.millrace.convert;

import static dev.millrace.convert.TestData.assertNoOutput;
import static dev.millrace.convert.TestData.bytes;
import static dev.millrace.convert.TestData.examples;
import static dev.millrace.convert.TestData.int64;
import static dev.millrace.convert.TestData.jpeg;
import static dev.millrace.convert.TestData.png;
import static dev.millrace.convert.TestData.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.millrace.records.ShardInfo;
import dev.millrace.records.proto.Example;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderConvertTest {
  @TempDir Path tmp;
  private Path in;
  private byte[] catPng;
  private byte[] catJpeg;
  private byte[] dogGray;

  @BeforeEach
  void folder() throws IOException {
    in = tmp.resolve("in");
    catPng = png(7, 5, BufferedImage.TYPE_INT_RGB, 1);
    catJpeg = jpeg(9, 4, BufferedImage.TYPE_INT_RGB, 2, false);
    dogGray = png(3, 6, BufferedImage.TYPE_BYTE_GRAY, 3);
    Files.createDirectories(in.resolve("cat"));
    Files.createDirectories(in.resolve("dog"));
    // Written out of name order on purpose.
    Files.write(in.resolve("dog/d1.png"), dogGray);
    Files.write(in.resolve("cat/b.jpg"), catJpeg);
    Files.write(in.resolve("cat/a.png"), catPng);
    Files.writeString(in.resolve("README.txt"), "not a class");
  }

  private ConversionResult convert(Path out, ConvertOptions options) throws IOException {
    return Converters.convert(SourceFormat.IMAGES, in, out, options, ProgressListener.none());
  }

  @Test
  void imagesBecomeBuildImageDataExamplesWithTheFileBytesUnchanged() throws IOException {
    Path out = tmp.resolve("out");

    convert(out, ConvertOptions.defaults().withThreads(2));

    List<Example> train = examples(out, "train");
    assertThat(train).hasSize(3);
    Example a = train.get(0);
    assertThat(bytes(a, "image/encoded")).isEqualTo(catPng);
    assertThat(text(a, "image/format")).isEqualTo("PNG");
    assertThat(int64(a, "image/class/label")).isEqualTo(1);
    assertThat(text(a, "image/class/text")).isEqualTo("cat");
    assertThat(int64(a, "image/height")).isEqualTo(5);
    assertThat(int64(a, "image/width")).isEqualTo(7);
    assertThat(int64(a, "image/channels")).isEqualTo(3);
    assertThat(text(a, "image/colorspace")).isEqualTo("RGB");
    assertThat(text(a, "image/filename")).isEqualTo("a.png");
    assertThat(a.getFeatures().getFeatureMap()).hasSize(9);
    Example b = train.get(1);
    assertThat(bytes(b, "image/encoded")).isEqualTo(catJpeg);
    assertThat(text(b, "image/format")).isEqualTo("JPEG");
    assertThat(int64(b, "image/height")).isEqualTo(4);
    assertThat(int64(b, "image/width")).isEqualTo(9);
    assertThat(text(b, "image/filename")).isEqualTo("b.jpg");
  }

  @Test
  void labelsStartAtOneInClassFolderNameOrderLeavingZeroForBackground() throws IOException {
    Path out = tmp.resolve("out");

    convert(out, ConvertOptions.defaults());

    assertThat(examples(out, "train"))
        .extracting(e -> int64(e, "image/class/label"), e -> text(e, "image/class/text"))
        .containsExactly(tuple(1L, "cat"), tuple(1L, "cat"), tuple(2L, "dog"));
  }

  @Test
  void grayPngHasOneChannelAndGrayColorspace() throws IOException {
    Path out = tmp.resolve("out");

    convert(out, ConvertOptions.defaults());

    Example dog = examples(out, "train").get(2);
    assertThat(int64(dog, "image/channels")).isEqualTo(1);
    assertThat(text(dog, "image/colorspace")).isEqualTo("Gray");
    assertThat(int64(dog, "image/height")).isEqualTo(6);
  }

  @Test
  void hiddenFilesAndFoldersAreSkipped() throws IOException {
    Files.writeString(in.resolve("cat/.DS_Store"), "finder");
    Files.createDirectories(in.resolve(".cache"));
    Files.write(in.resolve(".cache/x.png"), catPng);
    Path out = tmp.resolve("out");

    assertThat(convert(out, ConvertOptions.defaults()).manifest().totalRecords()).isEqualTo(3);
  }

  @Test
  void imageOutputIsIdenticalForOneAndManyThreadsAndShuffleIsSeeded() throws IOException {
    for (int i = 0; i < 20; i++) {
      Files.write(in.resolve("dog/g" + i + ".png"), png(4, 4, BufferedImage.TYPE_INT_RGB, 10 + i));
    }
    ConvertOptions shuffled = ConvertOptions.defaults().withShuffle(5).withShardBytes(2000);

    List<String> one = sha(convert(tmp.resolve("o1"), shuffled.withThreads(1)));
    List<String> four = sha(convert(tmp.resolve("o4"), shuffled.withThreads(4)));
    List<String> again = sha(convert(tmp.resolve("o4b"), shuffled.withThreads(4)));

    assertThat(four).isEqualTo(one).isEqualTo(again);
    assertThat(examples(tmp.resolve("o1"), "train"))
        .containsExactlyInAnyOrderElementsOf(
            examples(convert(tmp.resolve("plain"), ConvertOptions.defaults()).outputDir(), "train"))
        .isNotEqualTo(examples(tmp.resolve("plain"), "train"));
  }

  private static List<String> sha(ConversionResult r) {
    return r.manifest().split("train").orElseThrow().shards().stream()
        .map(ShardInfo::sha256)
        .toList();
  }

  @Test
  void aFileThatIsNotAnImageIsBadInputNamingIt() throws IOException {
    Files.writeString(in.resolve("dog/notes.txt"), "hello");
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(out, ConvertOptions.defaults().withThreads(3)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("notes.txt@0: not a PNG or JPEG file");
    assertNoOutput(out);
  }

  @Test
  void aTruncatedPngIsBadInputNamingIt() throws IOException {
    Files.write(in.resolve("dog/cut.png"), Arrays.copyOf(dogGray, dogGray.length - 20));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(out, ConvertOptions.defaults().withThreads(3)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cut.png@")
        .hasMessageContaining("PNG truncated");
    assertNoOutput(out);
  }

  @Test
  void aJpegTruncatedInItsHeaderIsBadInputNamingIt() throws IOException {
    Files.write(in.resolve("cat/cut.jpg"), Arrays.copyOf(catJpeg, 40));
    Path out = tmp.resolve("out");

    assertThatThrownBy(() -> convert(out, ConvertOptions.defaults()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cut.jpg@")
        .hasMessageContaining("JPEG truncated");
    assertNoOutput(out);
  }

  @Test
  void aFolderWithoutClassFoldersIsBadInput() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));

    assertThatThrownBy(
            () ->
                Converters.convert(
                    SourceFormat.IMAGES,
                    empty,
                    tmp.resolve("out"),
                    ConvertOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("empty: no class folders");
    assertNoOutput(tmp.resolve("out"));
  }
}
