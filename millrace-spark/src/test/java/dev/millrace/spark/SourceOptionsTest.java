package dev.millrace.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.spark.internal.SourceOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data source's options, parsed without Spark: values, defaults and the errors' wording. */
class SourceOptionsTest {
  @Test
  void optionsAreReadWhateverTheirCase() {
    SourceOptions o =
        SourceOptions.parse(
            Map.of(
                "PATHS", "[\"/a\",\"/b\"]",
                "compression", "GZIP",
                "recordtype", "sequenceexample",
                "CorruptRecords", "Skip"));

    assertThat(o.paths()).containsExactly("/a", "/b");
    assertThat(o.compression()).isEqualTo(Compression.GZIP);
    assertThat(o.recordType()).isEqualTo(RecordType.SEQUENCE_EXAMPLE);
    assertThat(o.corruptRecords()).isEqualTo(CorruptRecordPolicy.SKIP);
  }

  @Test
  void defaultsAreExamplesFailingOnCorruptionWithCompressionFromTheName() {
    SourceOptions o = SourceOptions.parse(Map.of("path", "/data/x.tfrecord.zlib"));

    assertThat(o.paths()).isEqualTo(List.of("/data/x.tfrecord.zlib"));
    assertThat(o.recordType()).isEqualTo(RecordType.EXAMPLE);
    assertThat(o.corruptRecords()).isEqualTo(CorruptRecordPolicy.FAIL);
    assertThat(o.compressionOf(java.nio.file.Path.of("/data/x.tfrecord.zlib")))
        .isEqualTo(Compression.ZLIB);
    assertThat(o.writeCompression()).isEqualTo(Compression.NONE);
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> SourceOptions.parse(Map.of("corruptRecords", "maybe")))
        .hasMessage("corruptRecords 'maybe' (expected fail or skip)");
    assertThatThrownBy(() -> SourceOptions.parse(Map.of("recordType", "Row")))
        .hasMessage("recordType 'Row' (expected one of: Example, SequenceExample, ByteArray)");
    assertThatThrownBy(() -> SourceOptions.parse(Map.of("compression", "lz4")))
        .hasMessage("unknown compression 'lz4' (expected: none, gzip or zlib)");
  }
}
