package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.testkit.EndedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writeLeavesOnlyTheTargetWithItsBytesAndReplacesAnOlderFile() throws IOException {
    Path target = tmp.resolve("manifest.json");
    Files.writeString(target, "old");

    AtomicFiles.write(target, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));

    assertThat(target).hasContent("new");
    assertThat(names(tmp)).containsExactly("manifest.json");
  }

  @Test
  void aFailingBodyLeavesNeitherTheTargetNorATemporaryFile() throws IOException {
    Path target = tmp.resolve("shard.tfrecord");

    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write(new byte[100]);
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");

    assertThat(names(tmp)).isEmpty();
  }

  @Test
  void temporaryNamesAreHiddenAndCarryTheWritersProcessId() throws IOException {
    Path temporary = AtomicFiles.createTemporaryFor(tmp.resolve("checkpoint.json"));
    long pid = ProcessHandle.current().pid();

    assertThat(temporary.getFileName().toString())
        .startsWith(".checkpoint.json." + pid + "-")
        .endsWith(".tmp");
    assertThat(AtomicFiles.writerOf(temporary)).isEqualTo(OptionalLong.of(pid));
    assertThat(AtomicFiles.writerOf(tmp.resolve("checkpoint.json"))).isEmpty();
    assertThat(AtomicFiles.writerOf(tmp.resolve(".notes.tmp"))).isEmpty();
    assertThat(AtomicFiles.writerOf(tmp.resolve("data.12-34.tmp"))).isEmpty();
  }

  @Test
  void removeAbandonedTemporariesDeletesADeadWritersFilesOnly() throws IOException {
    long dead = EndedProcess.pid();
    long alive = ProcessHandle.current().pid();
    Path ofDead = Files.writeString(tmp.resolve(".variables.mrckpt." + dead + "-81.tmp"), "half");
    Path ofAlive = Files.writeString(tmp.resolve(".variables.mrckpt." + alive + "-82.tmp"), "busy");
    Path notOurs = Files.writeString(tmp.resolve(".editor-swap.tmp"), "kept");
    Path visible = Files.writeString(tmp.resolve("variables.mrckpt"), "kept");
    Path folder = Files.createDirectory(tmp.resolve(".dir." + dead + "-83.tmp"));

    int removed = AtomicFiles.removeAbandonedTemporaries(tmp);

    assertThat(removed).isEqualTo(1);
    assertThat(ofDead).doesNotExist();
    assertThat(List.of(ofAlive, notOurs, visible, folder)).allSatisfy(p -> assertThat(p).exists());
  }

  @Test
  void removeAbandonedTemporariesOfAMissingFolderRemovesNothing() throws IOException {
    assertThat(AtomicFiles.removeAbandonedTemporaries(tmp.resolve("absent"))).isZero();
  }

  @Test
  void isRunningTellsThisProcessFromOneThatEnded() throws IOException {
    assertThat(AtomicFiles.isRunning(ProcessHandle.current().pid())).isTrue();
    assertThat(AtomicFiles.isRunning(EndedProcess.pid())).isFalse();
  }

  @Test
  void syncDirectoryAcceptsAFolderAndIgnoresWhatCannotBeSynced() throws IOException {
    AtomicFiles.syncDirectory(tmp);
    AtomicFiles.syncDirectory(tmp.resolve("absent"));
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    AtomicFiles.syncDirectory(file);

    assertThat(names(tmp)).containsExactly("plain");
  }

  @Test
  void commitMovesAFinishedTemporaryOverTheTarget() throws IOException {
    Path target = tmp.resolve("train-00000-of-00001.tfrecord");
    Files.writeString(target, "older run");
    Path temporary = AtomicFiles.createTemporaryFor(target);
    Files.writeString(temporary, "this run");

    AtomicFiles.commit(temporary, target);

    assertThat(target).hasContent("this run");
    assertThat(temporary).doesNotExist();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
