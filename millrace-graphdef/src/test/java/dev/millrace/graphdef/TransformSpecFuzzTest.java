package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.testkit.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the {@code --transforms} parser: any text parses, or fails with an
 * {@link IllegalArgumentException} naming the column; what parses prints back ({@link
 * TransformSpec#toString}) to text that parses to the same steps.
 */
class TransformSpecFuzzTest {
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parsesOrNamesTheColumn(byte[] input) {
    String text = new String(FuzzInputs.payload(input), StandardCharsets.UTF_8);
    List<TransformSpec> steps;
    try {
      steps = TransformSpec.parseAll(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("--transforms: ").contains(" at column ");
      return;
    }
    StringBuilder printed = new StringBuilder();
    for (TransformSpec s : steps) {
      printed.append(s).append(' ');
    }
    assertThat(TransformSpec.parseAll(printed.toString())).isEqualTo(steps);
  }
}
