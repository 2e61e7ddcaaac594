package dev.millrace.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.Compression;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ApiValuesTest {
  @Test
  void sourceFormatsParseFromTheirCommandLineNames() {
    for (SourceFormat f : SourceFormat.values()) {
      assertThat(SourceFormat.parse(f.cliName())).isEqualTo(f);
    }
    assertThat(SourceFormat.parse("CIFAR10-BIN")).isEqualTo(SourceFormat.CIFAR10_BIN);
    assertThat(SourceFormat.parse("cifar10_bin")).isEqualTo(SourceFormat.CIFAR10_BIN);
  }

  @Test
  void unknownSourceFormatIsRejectedListingTheValidNames() {
    assertThatThrownBy(() -> SourceFormat.parse("mnist"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown source format 'mnist' (expected one of: idx, cifar10, cifar10-bin, images)");
  }

  @Test
  void defaultOptionsAre100MibUncompressedInSourceOrderOnEveryProcessor() {
    ConvertOptions d = ConvertOptions.defaults();

    assertThat(d.shardBytes()).isEqualTo(100L * 1024 * 1024);
    assertThat(d.compression()).isEqualTo(Compression.NONE);
    assertThat(d.shuffle()).isFalse();
    assertThat(d.seed()).isZero();
    assertThat(d.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void optionsRejectNonPositiveShardSizeAndThreadCount() {
    assertThatThrownBy(() -> ConvertOptions.defaults().withShardBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shardBytes: 0 (expected > 0)");
    assertThatThrownBy(() -> ConvertOptions.defaults().withThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads: 0 (expected >= 1)");
    assertThatThrownBy(() -> ConvertOptions.defaults().withCompression(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badInputMessageNamesFileEntryOffsetAndRecordOnOneLine() {
    Path f = Path.of("data", "cifar.tar.gz");

    assertThat(BadInputException.atOffset(f, 8, "bad").getMessage()).isEqualTo(f + "@8: bad");
    assertThat(BadInputException.atRecord(f, 16, 3, "bad").getMessage())
        .isEqualTo(f + "@16 (record 3): bad");
    BadInputException e = BadInputException.inEntryRecord(f, "dir/batch", 6, 2, "two\nlines");
    assertThat(e.getMessage()).isEqualTo(f + "!dir/batch@6 (record 2): two lines");
    assertThat(e.file()).isEqualTo(f);
    assertThat(e.entry()).contains("dir/batch");
    assertThat(e.offset()).hasValue(6);
    assertThat(e.record()).hasValue(2);
    assertThat(e.problem()).isEqualTo("two\nlines");
    assertThat(BadInputException.of(f, "bad").offset()).isEmpty();
  }

  @Test
  void noProgressListenerIgnoresEverything() {
    ProgressListener none = ProgressListener.none();
    none.begin("train", 10);
    none.advance(10);
    none.end();
    assertThat(ProgressListener.none()).isSameAs(none);
  }
}
