package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.graph.ThreadConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BenchKernelsCommandTest {

  @Test
  void benchIsACommandGroupWithKernels() {
    CliRunner r = CliRunner.run("bench", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: millrace bench", "kernels");
    CliRunner k = CliRunner.run("bench", "kernels", "--help");
    assertThat(k.exit()).isZero();
    assertThat(k.out()).contains("Usage: millrace bench kernels", "--threads", "--json");
    // The help names the default this machine would use, never a placeholder.
    assertThat(k.out().replaceAll("\\s+", " "))
        .contains("the physical cores, here " + ThreadConfig.detectPhysicalCores() + ")");
    assertThat(CliRunner.run("--help").out()).contains("bench");
  }

  @Test
  void quickJsonRunReportsEveryBenchmarkWithTheDocumentedKeys() throws IOException {
    CliRunner r = CliRunner.run("bench", "kernels", "--quick", "--threads", "1", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("threads").asInt()).isEqualTo(1);
    assertThat(json.get("peak_gflops").asDouble()).isPositive();
    assertThat(json.get("peak_derivation").asText()).contains("GHz", "FMA", "lanes");
    assertThat(json.get("vector_bits").asInt()).isIn(128, 256, 512);
    assertThat(json.get("peak_derivation").asText()).contains(json.get("vector_bits") + "-bit");
    assertThat(json.get("vector_width_source").asText()).isNotBlank();
    assertThat(json.has("cpu_flags")).isTrue();
    JsonNode gemm = json.get("gemm");
    assertThat(gemm.get("m").asInt()).isEqualTo(1024);
    assertThat(gemm.get("n").asInt()).isEqualTo(1024);
    assertThat(gemm.get("k").asInt()).isEqualTo(1024);
    assertThat(gemm.get("gflops").asDouble()).isPositive();
    JsonNode conv = json.get("conv");
    assertThat(conv).hasSize(10);
    assertThat(conv.findValuesAsText("layer"))
        .contains(
            "conv3x3_3to16_32x32",
            "conv3x3_16to16_32x32",
            "conv3x3_16to32_s2_32x32",
            "conv3x3_32to32_16x16",
            "conv3x3_64to64_8x8");
    assertThat(conv.findValuesAsText("format")).containsOnly("NHWC", "NCHW");
    for (JsonNode c : conv) {
      assertThat(c.get("ms").asDouble()).isPositive();
      assertThat(c.get("gflops").asDouble()).isPositive();
    }
    for (String mode : new String[] {"inference", "training"}) {
      JsonNode bn = json.get("batchnorm").get(mode);
      assertThat(bn).hasSize(2);
      for (JsonNode b : bn) {
        assertThat(b.get("fused_ms").asDouble()).isPositive();
        assertThat(b.get("unfused_ms").asDouble()).isPositive();
      }
    }
  }

  @Test
  void zeroOrNegativeThreadsIsAOneLineError() {
    for (String n : new String[] {"-1", "0"}) {
      CliRunner r = CliRunner.run("bench", "kernels", "--threads", n);
      assertThat(r.exit()).isNotZero();
      assertThat(r.err().strip()).contains("--threads").doesNotContain("\n\tat ");
    }
  }
}
