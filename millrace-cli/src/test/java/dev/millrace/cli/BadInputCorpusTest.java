package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of the bad-input corpus ({@code testdata/bad-input/cases.tsv}) through the
 * command line, in-process, and holds each to the contract for bad data: a non-zero exit, one line
 * of error on standard error that names the file (and the record or byte offset where there is
 * one), no stack trace, and nothing left in the output folder.
 *
 * <p>The commands read a copy of the corpus, so that no case can change the repository's files, and
 * each case also checks that the copy is as it was: reading bad input must not write beside it
 * either (a temporary file in a checkpoint folder, say).
 */
class BadInputCorpusTest {
  @TempDir static Path tmp;
  private static Path corpus;
  private static Map<String, Long> corpusFiles;

  /** One line of cases.tsv. */
  record Case(String name, int progressLines, String arguments, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void copyTheCorpus() throws IOException {
    corpus = tmp.resolve("bad-input");
    Path source = TestData.badInputDir();
    try (Stream<Path> all = Files.walk(source)) {
      for (Path p : all.toList()) {
        Path target = corpus.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    corpusFiles = listing(corpus);
  }

  static List<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    for (String line : Files.readAllLines(TestData.badInputDir().resolve("cases.tsv"))) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("case\t")) {
        continue;
      }
      String[] columns = line.split("\t", -1);
      if (columns.length != 4) {
        throw new IllegalStateException("cases.tsv: expected 4 tab-separated columns: " + line);
      }
      cases.add(new Case(columns[0], Integer.parseInt(columns[1]), columns[2], columns[3]));
    }
    return cases;
  }

  // A hang guard, not a measure: every case takes well under a second or two.
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputFailsWithOneLineNamingTheFileAndLeavesNoOutput(Case c) throws IOException {
    Path out = tmp.resolve("out").resolve(c.name());
    String[] args =
        Arrays.stream(c.arguments().split(" +"))
            .map(a -> a.replace("{corpus}", corpus.toString()).replace("{out}", out.toString()))
            .toArray(String[]::new);

    CliRunner r = CliRunner.run(args);

    assertThat(r.exit()).as("exit status; stderr: %s", r.err()).isNotZero();
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    // The progress lines a command prints (when piped) before it reaches the bad data stay; the
    // error itself is the one line after them.
    assertThat(lines).as("standard error").hasSize(c.progressLines() + 1);
    for (String progress : lines.subList(0, c.progressLines())) {
      assertThat(progress)
          .as("progress line before the error")
          .doesNotContainIgnoringCase("error")
          .doesNotContain("Exception")
          .doesNotStartWith("\tat ");
    }
    Pattern expected =
        Pattern.compile(
            c.error()
                .replace("{corpus}", Pattern.quote(corpus.toString()))
                .replace("{out}", Pattern.quote(out.toString())));
    assertThat(lines.getLast()).as("the error line").matches(expected);
    assertThat(listing(out)).as("what is left in the output folder %s", out).isEmpty();
    assertThat(listing(corpus)).as("the corpus after the run").isEqualTo(corpusFiles);
  }

  /** Every file under {@code dir} (relative path → size); empty when {@code dir} is absent. */
  private static Map<String, Long> listing(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.exists(dir)) {
      return files;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(p -> !p.equals(dir))
          .forEach(
              p -> {
                try {
                  files.put(
                      dir.relativize(p).toString(), Files.isDirectory(p) ? -1L : Files.size(p));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return files;
  }
}
