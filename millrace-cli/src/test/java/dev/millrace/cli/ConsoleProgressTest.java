package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  private static final Pattern DONE_LINE =
      Pattern.compile("bench input: ([\\d,]+) done \\(([\\d,]+)/s, ([\\d.]+)s\\)");

  @Test
  void aTaskReportedLateCountsItsRateFromItsRealStart() {
    StringWriter text = new StringWriter();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false);

    // 1,000 units were done in the 2 s before reporting began: at most 500 per second.
    progress.begin("bench input", -1, 2_000_000_000L);
    progress.advance(1_000);
    progress.end();

    Matcher m = DONE_LINE.matcher(text.toString());
    assertThat(m.find()).as(text.toString()).isTrue();
    assertThat(m.group(1)).isEqualTo("1,000");
    assertThat(Long.parseLong(m.group(2).replace(",", ""))).isBetween(1L, 500L);
    assertThat(Double.parseDouble(m.group(3))).isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void aTaskReportedFromItsStartShowsItsTotal() {
    StringWriter text = new StringWriter();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false);

    progress.begin("train", 5_000);
    progress.advance(5_000);
    progress.end();

    assertThat(text.toString()).startsWith("train: 5,000 to do").contains("5,000/5,000 done");
  }

  @Test
  void aTaskThatEndsBeforeItsTotalReadsAsStoppedNotDone() {
    StringWriter plain = new StringWriter();
    ConsoleProgress lines = new ConsoleProgress(new PrintWriter(plain), false);
    lines.begin("train", 5_000);
    lines.advance(1_200);
    lines.end();
    assertThat(plain.toString()).contains("1,200/5,000 stopped").doesNotContain("done");

    StringWriter bar = new StringWriter();
    ConsoleProgress terminal = new ConsoleProgress(new PrintWriter(bar), true);
    terminal.begin("train", 5_000);
    terminal.advance(1_200);
    terminal.end();
    assertThat(bar.toString())
        .contains("1,200/5,000")
        .endsWith("stopped\u001b[K" + System.lineSeparator());
  }
}
