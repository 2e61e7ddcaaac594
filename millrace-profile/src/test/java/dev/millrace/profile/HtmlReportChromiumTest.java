package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens reports in headless Chromium, as a reader would: the charts must be drawn (uPlot made its
 * canvases and the page's script got to its end), and a screenshot is taken to look at ({@code
 * target/report-sample/screenshot*.png}).
 */
@Tag("slow")
class HtmlReportChromiumTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir Path tmp;

  @Test
  void chartsAreDrawnAndHostileTextStaysText() throws IOException, InterruptedException {
    assumeChromium();
    Path page = HtmlReport.write(ReportFixtures.hostile(20_000, 3_600, true), tmp.resolve("r"));

    String dom = chromium(List.of("--dump-dom", page.toUri().toString()), tmp.resolve("dom.html"));

    assertThat(dom).contains("data-rendered=\"ok\"").contains("data-charts=\"4\"");
    assertThat(Pattern.compile("<canvas").matcher(dom).results()).hasSize(4);
    assertThat(Pattern.compile("class=\"uplot").matcher(dom).results()).hasSize(4);
    assertThat(dom).doesNotContain("class=\"render-error\"");
    // the browser read the hostile stage name as text: no <b> element came of it
    assertThat(dom).contains("&lt;/script&gt;&lt;b&gt;x").doesNotContain("<b>x");
  }

  @Test
  void screenshotsOfTheSampleReport() throws IOException, InterruptedException {
    assumeChromium();
    Path out = ReportSampleTest.SAMPLE_DIR.toAbsolutePath();
    Path doctor =
        HtmlReport.write(ReportFixtures.doctor(20_000, 3_600, true, 13), out.resolve("gpu"));
    Path wide = out.resolve("screenshot.png");
    Path narrow = out.resolve("screenshot-narrow.png");
    Files.deleteIfExists(wide);
    Files.deleteIfExists(narrow);

    chromium(
        List.of("--screenshot=" + wide, "--window-size=1280,2000", doctor.toUri().toString()),
        tmp.resolve("wide.txt"));
    chromium(
        List.of("--screenshot=" + narrow, "--window-size=420,2400", doctor.toUri().toString()),
        tmp.resolve("narrow.txt"));

    for (Path png : List.of(wide, narrow)) {
      assertThat(png).isRegularFile();
      byte[] bytes = Files.readAllBytes(png);
      assertThat(bytes).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
      // a blank page compresses to a few kilobytes; charts and tables do not
      assertThat(bytes.length).as(png.toString()).isGreaterThan(50_000);
    }
  }

  private static void assumeChromium() {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "needs headless Chromium at " + CHROMIUM + " (Debian: apt-get install chromium)");
  }

  /**
   * Runs Chromium headless with a fresh profile and everything that would reach the network off,
   * and returns what it printed; kills its whole process tree when it does not finish in time.
   */
  private String chromium(List<String> args, Path stdout) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(tmp, "chromium-profile");
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=5000"));
    command.addAll(args);
    Path stderr = stdout.resolveSibling(stdout.getFileName() + ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          "chromium did not finish in " + TIMEOUT_SECONDS + " s: " + Files.readString(stderr));
    }
    assertThat(p.exitValue())
        .as("chromium exit status; stderr: %s", Files.readString(stderr))
        .isZero();
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }
}
