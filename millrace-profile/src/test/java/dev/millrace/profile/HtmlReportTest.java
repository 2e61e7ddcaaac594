package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  private static final String JSON_OPEN = "<script type=\"application/json\" id=\"report-data\">";

  @TempDir Path tmp;

  /**
   * The data block, as the browser's HTML parser would cut it: up to the first {@code </script}.
   */
  static JsonNode dataBlock(String page) throws IOException {
    int start = page.indexOf(JSON_OPEN);
    assertThat(start).as("the page has a data block").isNotNegative();
    start += JSON_OPEN.length();
    int end = page.indexOf("</script", start);
    return new ObjectMapper().readTree(page.substring(start, end));
  }

  @Test
  void pageLoadsNothingFromTheNetwork() {
    String page = HtmlReport.render(ReportFixtures.doctor(500, 120, true, 1));
    String lower = page.toLowerCase(Locale.ROOT);

    assertThat(lower).doesNotContain("<link").doesNotContain("@import").doesNotContain("<iframe");
    assertThat(lower).doesNotContainPattern("<script[^>]*\\ssrc\\s*=");
    assertThat(lower)
        .doesNotContainPattern("\\s(src|href|action|poster)\\s*=\\s*[\"']?\\s*(https?:)?//");
    assertThat(lower).doesNotContainPattern("url\\(\\s*[\"']?\\s*(https?:)?//");
    // the chart library and its style sheet are inside the page
    assertThat(page).contains("var uPlot=").contains(".uplot {").contains("uPlot 1.6.30");
  }

  @Test
  void textFromTheDataIsEscapedInMarkupAndInTheDataBlock() throws IOException {
    ReportData data = ReportFixtures.hostile(200, 30, false);
    String page = HtmlReport.render(data);

    assertThat(page).contains("&lt;/script&gt;&lt;b&gt;x").doesNotContain("<b>x");
    assertThat(page).doesNotContain("<i>&amp;</i>").contains("Report &lt;i&gt;&amp;amp;&lt;/i&gt;");
    assertThat(page).doesNotContain("<img").doesNotContain("alert(1)</script>");
    assertThat(page).contains("&#39;a &lt; b &amp;&amp; c &gt; d&#39; &quot;&lt;/script&gt;&quot;");
    // a placeholder in the data stays text: the template is filled in one pass
    assertThat(page).contains("&quot;quoted&quot; {{json}}</h1>");
    // exactly the page's own three script elements close; nothing from the data closes one
    assertThat(Pattern.compile("</script", Pattern.CASE_INSENSITIVE).matcher(page).results())
        .hasSize(3);

    JsonNode json = dataBlock(page);
    assertThat(json.get("title").asText()).isEqualTo(data.title());
    assertThat(json.get("commandLine").asText()).isEqualTo(data.commandLine());
    assertThat(json.get("stages").get(1).get("name").asText())
        .isEqualTo(ReportFixtures.HOSTILE_NAME);
    assertThat(json.get("ops").get(0).get("type").asText())
        .isEqualTo("</script><img src=x onerror=alert(1)>");
  }

  @Test
  void longRunIsCutDownToBoundedSeriesThatKeepTheirMeans() throws IOException {
    ReportData data = ReportFixtures.doctor(20_000, 3_600, true, 2);
    JsonNode json = dataBlock(HtmlReport.render(data));

    JsonNode steps = json.get("steps");
    assertThat(steps.get("count").asInt()).isEqualTo(20_000);
    assertThat(steps.get("perPoint").asInt()).isEqualTo(10);
    for (String column : List.of("step", "waitMs", "computeMs")) {
      assertThat(steps.get(column).size()).as(column).isEqualTo(2_000);
    }
    double meanWait =
        data.steps().stream().mapToDouble(ReportData.Step::waitMs).average().orElse(0);
    assertThat(mean(steps.get("waitMs"))).isCloseTo(meanWait, within(0.01));
    assertThat(steps.get("step").get(0).asDouble()).isEqualTo(4.5);

    JsonNode samples = json.get("samples");
    assertThat(samples.get("seconds").size()).isEqualTo(1_800);
    assertThat(samples.get("gpuMemoryMb").size()).isEqualTo(1_800);
    double meanImages =
        data.samples().stream().mapToDouble(ReportData.Sample::imagesPerSecond).average().orElse(0);
    assertThat(mean(samples.get("imagesPerSecond"))).isCloseTo(meanImages, within(0.01));
  }

  @Test
  void bigReportStaysWellUnderTwoMegabytes() throws IOException {
    Path page = HtmlReport.write(ReportFixtures.doctor(20_000, 3_600, true, 3), tmp);
    long size = Files.size(page);
    System.out.printf("report of 20,000 steps and 3,600 samples: %,d bytes%n", size);
    assertThat(size).isLessThan(500_000);
  }

  @Test
  void writeCreatesTheFolderAndLeavesOnlyTheFinishedPage() throws IOException {
    Path dir = tmp.resolve("a/b/report");
    ReportData first = ReportFixtures.training(300, 60, 4);
    Path page = HtmlReport.write(first, dir);

    assertThat(page).isEqualTo(dir.resolve("index.html"));
    assertThat(listing(dir)).containsExactly("index.html");
    assertThat(Files.readString(page)).isEqualTo(HtmlReport.render(first));

    ReportData second = ReportFixtures.doctor(300, 60, false, 5);
    HtmlReport.write(second, dir);
    assertThat(listing(dir)).containsExactly("index.html");
    assertThat(Files.readString(page, StandardCharsets.UTF_8)).isEqualTo(HtmlReport.render(second));
  }

  @Test
  void failedWriteLeavesNoTemporaryFile() throws IOException {
    Path dir = tmp.resolve("report");
    // a folder where the page should go: the rename onto it fails
    Files.createDirectories(dir.resolve("index.html").resolve("occupied"));

    assertThatThrownBy(() -> HtmlReport.write(ReportFixtures.training(10, 5, 6), dir))
        .isInstanceOf(IOException.class);
    assertThat(listing(dir)).containsExactly("index.html");
  }

  @Test
  void withoutGpuSamplesThereIsNoGpuChartButALineSayingSo() throws IOException {
    String page = HtmlReport.render(ReportFixtures.doctor(100, 50, false, 8));
    assertThat(page).doesNotContain("id=\"chart-gpu\"").contains("No GPU measurements");
    assertThat(dataBlock(page).get("samples").has("gpuUtilisationPercent")).isFalse();

    String withGpu = HtmlReport.render(ReportFixtures.doctor(100, 50, true, 8));
    assertThat(withGpu).contains("id=\"chart-gpu\"").doesNotContain("No GPU measurements");
  }

  @Test
  void verdictAndRecommendationsComeFirstAndTheBottleneckIsMarked() {
    String page = HtmlReport.render(ReportFixtures.doctor(100, 50, false, 9));
    int verdict = page.indexOf("<div class=\"word\">input-bound</div>");
    int advice = page.indexOf("Give map#4 more threads");
    int charts = page.indexOf("id=\"chart-steps\"");
    int stages = page.indexOf("id=\"pipeline\"");
    assertThat(verdict).isPositive().isLessThan(advice);
    assertThat(advice).isLessThan(charts);
    assertThat(charts).isLessThan(stages);
    assertThat(page)
        .containsPattern(
            "<tr class=\"bottleneck\"><td><span class=\"name\">map#4</span>"
                + "<span class=\"tag\">bottleneck</span>");
    assertThat(Pattern.compile("class=\"bottleneck\"").matcher(page).results()).hasSize(1);
  }

  @Test
  void trainingReportHasEpochsAndNoVerdict() {
    String page = HtmlReport.render(ReportFixtures.training(100, 50, 10));
    assertThat(page).contains("No diagnosis").contains("id=\"epochs\"").doesNotContain("Evidence");
    assertThat(page).contains("<td class=\"num\">2</td><td class=\"num\">0.9850</td>");
    assertThat(page).contains("verdict-none");
  }

  @Test
  void emptyReportStillRenders() throws IOException {
    ReportData empty =
        ReportData.of(
            "nothing yet", "millrace train", new ReportData.Host("cpu", 1, ""), Instant.EPOCH);
    String page = HtmlReport.render(empty);
    assertThat(page)
        .contains("No step timings were recorded.")
        .contains("No utilisation was sampled.");
    assertThat(dataBlock(page).get("steps").get("count").asInt()).isZero();
  }

  private static double mean(JsonNode weightedEqually) {
    double sum = 0;
    for (JsonNode v : weightedEqually) {
      sum += v.asDouble();
    }
    return sum / weightedEqually.size();
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = new ArrayList<>();
      files.forEach(f -> names.add(f.getFileName().toString()));
      return names;
    }
  }
}
