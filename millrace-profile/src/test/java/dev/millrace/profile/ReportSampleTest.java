package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Writes sample reports for a person to open in a browser: {@code
 * millrace-profile/target/report-sample/index.html} (a doctor's diagnosis) and {@code
 * .../train/index.html} (a training run). Run with {@code mvn -pl millrace-profile -am verify
 * -Dtest=ReportSampleTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ReportSampleTest {
  static final Path SAMPLE_DIR = Path.of("target", "report-sample");

  @Test
  void writesSampleReportsUnderTarget() throws IOException {
    Path doctor = HtmlReport.write(ReportFixtures.doctor(20_000, 3_600, false, 11), SAMPLE_DIR);
    Path train =
        HtmlReport.write(ReportFixtures.training(2_000, 300, 12), SAMPLE_DIR.resolve("train"));
    System.out.println(
        "sample reports: " + doctor.toAbsolutePath() + ", " + train.toAbsolutePath());
    assertThat(doctor).isRegularFile();
    assertThat(train).isRegularFile();
  }
}
