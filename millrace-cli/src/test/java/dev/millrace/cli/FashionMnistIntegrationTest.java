package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Fashion-MNIST data from Debian's dataset-fashion-mnist, converted and verified. */
@Tag("slow")
class FashionMnistIntegrationTest {
  @TempDir Path tmp;

  @Test
  void convertsFashionMnistToTrainAndTestShardsThatVerify() throws IOException {
    Path data = QuickstartCommand.DEBIAN_FASHION_MNIST;
    assumeTrue(Files.isDirectory(data), "needs: apt-get install dataset-fashion-mnist");
    Path out = tmp.resolve("out");

    CliRunner convert =
        CliRunner.run(
            "convert", "--from", "idx", "--input", data.toString(), "--output", out.toString());
    assertThat(convert.exit()).as(convert.err()).isZero();

    for (String split : new String[] {"train", "test"}) {
      CliRunner verify =
          CliRunner.run(
              "inspect",
              out.resolve(split + "-00000-of-00001.tfrecord").toString(),
              "--verify",
              "--json");
      assertThat(verify.exit()).as(verify.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(verify.out());
      assertThat(json.get("total_records").asLong())
          .isEqualTo(split.equals("train") ? 60_000 : 10_000);
      assertThat(json.get("manifest").get("verified").asBoolean()).isTrue();
    }
  }
}
