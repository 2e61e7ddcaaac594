package dev.millrace.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestDataTest {
  @TempDir Path tmp;

  @Test
  void findsThisRepositorysTensorFlowFiles() {
    Path dir = TestData.tensorflowDir();
    assertThat(dir).isAbsolute().isDirectory().endsWith(Path.of("testdata", "tensorflow"));
    assertThat(dir.resolve("records")).isDirectory();
    assertThat(dir.resolve("events")).isDirectory();
    assertThat(dir.resolve("graphs")).isDirectory();
    assertThat(TestData.tensorflow("records/fashion-train-500.tfrecord"))
        .isEqualTo(dir.resolve("records").resolve("fashion-train-500.tfrecord"))
        .isRegularFile();
  }

  @Test
  void findsThisRepositorysBadInputCorpus() {
    Path dir = TestData.badInputDir();
    assertThat(dir).isAbsolute().isDirectory().endsWith(Path.of("testdata", "bad-input"));
    assertThat(dir.resolve("cases.tsv")).isRegularFile();
    assertThat(dir.resolve("make_corpus.py")).isRegularFile();
  }

  @Test
  void thePropertyWinsOverTheWorkingDirectory() throws IOException {
    Path named = Files.createDirectories(tmp.resolve("named/testdata/tensorflow"));
    Path other = Files.createDirectories(tmp.resolve("other/testdata/tensorflow"));
    Path dir = TestData.tensorflowDir(tmp.resolve("named/testdata").toString(), other.getParent());
    assertThat(dir).isEqualTo(named);
  }

  @Test
  void aPropertyNamingNoTensorFlowFolderFailsNamingThePath() throws IOException {
    Path testdata = Files.createDirectories(tmp.resolve("testdata"));
    Files.createDirectories(tmp.resolve("work/testdata/tensorflow"));
    assertThatThrownBy(() -> TestData.tensorflowDir(testdata.toString(), tmp.resolve("work")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(testdata.resolve("tensorflow").toString())
        .hasMessageContaining("millrace.testdata=" + testdata);
  }

  @Test
  void withoutThePropertyTheFolderIsFoundAboveTheWorkingDirectory() throws IOException {
    Path tf = Files.createDirectories(tmp.resolve("repo/testdata/tensorflow"));
    Path module = Files.createDirectories(tmp.resolve("repo/millrace-x/target"));
    assertThat(TestData.tensorflowDir(null, module)).isEqualTo(tf);
    assertThat(TestData.tensorflowDir(" ", module)).as("blank = not set").isEqualTo(tf);
    assertThat(TestData.tensorflowDir(null, tmp.resolve("repo"))).isEqualTo(tf);
  }

  @Test
  void withoutThePropertyAndNoFolderAboveTheFailureNamesWhereItLooked() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("nothing/here"));
    assertThatThrownBy(() -> TestData.tensorflowDir(null, empty))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("testdata/tensorflow")
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("millrace.testdata is not set");
  }

  @Test
  void aMissingFileFailsNamingItsAbsolutePath() {
    assertThatThrownBy(() -> TestData.existing(tmp, "records/nope.tfrecord"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "test data file "
                + tmp.toAbsolutePath().resolve("records/nope.tfrecord")
                + " does not exist");
  }

  @Test
  void filesAndFoldersInsideResolve() throws IOException {
    Path file = Files.createDirectories(tmp.resolve("records")).resolve("a.tfrecord");
    Files.write(file, new byte[] {1});
    assertThat(TestData.existing(tmp, "records/a.tfrecord")).isEqualTo(file);
    assertThat(TestData.existing(tmp, "records/./a.tfrecord")).isEqualTo(file);
    assertThat(TestData.existing(tmp, "records")).isEqualTo(file.getParent());
  }

  @Test
  void pathsThatAreNotRelativeAndInsideAreRejected() throws IOException {
    Files.createDirectories(tmp.resolve("tensorflow"));
    Files.write(tmp.resolve("outside"), new byte[] {1});
    Path dir = tmp.resolve("tensorflow");
    for (String bad : new String[] {"", "../outside", tmp.resolve("outside").toString()}) {
      assertThatThrownBy(() -> TestData.existing(dir, bad))
          .as("\"%s\"", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"");
    }
  }
}
