package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompressionParseTest {
  @Test
  void namesParseInAnyCaseAndBlankMeansNone() {
    assertThat(Compression.parse(" GZip ")).isEqualTo(Compression.GZIP);
    assertThat(Compression.parse("zlib")).isEqualTo(Compression.ZLIB);
    assertThat(Compression.parse("none")).isEqualTo(Compression.NONE);
    assertThat(Compression.parse("")).isEqualTo(Compression.NONE);
  }

  @Test
  void anUnknownNameFailsWithTheChoicesAndNoInnerCause() {
    assertThatThrownBy(() -> Compression.parse("lz4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown compression 'lz4' (expected: none, gzip or zlib)")
        .hasNoCause();
  }
}
