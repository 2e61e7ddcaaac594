package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.profile.proto.Event;
import dev.millrace.profile.proto.SessionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {
  private static final Instant OPENED = Instant.ofEpochSecond(1_795_744_050L);

  /** A wall clock the test moves by hand. */
  private static final class ManualClock implements InstantSource {
    private Instant now = OPENED;

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private static TensorBoardOptions options(InstantSource clock) {
    return TensorBoardOptions.defaults().withClock(clock).withHostname("trainer-7");
  }

  @Test
  void fileIsNamedWithTenDigitSecondsAndHostnameInACreatedLogdir(@TempDir Path tmp)
      throws IOException {
    Path logdir = tmp.resolve("runs").resolve("a");
    try (TensorBoardWriter w =
            TensorBoardWriter.open(logdir, options(InstantSource.fixed(OPENED)));
        TensorBoardWriter early =
            TensorBoardWriter.open(
                tmp, options(InstantSource.fixed(Instant.ofEpochSecond(42, 999_999_999))))) {
      assertThat(w.file()).isEqualTo(logdir.resolve("events.out.tfevents.1795744050.trainer-7"));
      assertThat(early.file().getFileName())
          .hasToString("events.out.tfevents.0000000042.trainer-7");
    }
  }

  @Test
  void secondWriterInTheSameSecondGetsASuffixAndLeavesTheFirstAlone(@TempDir Path logdir)
      throws IOException {
    InstantSource clock = InstantSource.fixed(OPENED);
    try (TensorBoardWriter first = TensorBoardWriter.open(logdir, options(clock))) {
      first.scalar("loss", 0, 1f);
      first.flush();
      long firstSize = Files.size(first.file());
      try (TensorBoardWriter second = TensorBoardWriter.open(logdir, options(clock));
          TensorBoardWriter third = TensorBoardWriter.open(logdir, options(clock))) {
        assertThat(second.file().getFileName())
            .hasToString("events.out.tfevents.1795744050.trainer-7.1");
        assertThat(third.file().getFileName())
            .hasToString("events.out.tfevents.1795744050.trainer-7.2");
      }
      assertThat(Files.size(first.file())).isEqualTo(firstSize);
    }
  }

  @Test
  void fileVersionEventIsOnDiskAsSoonAsTheWriterOpens(@TempDir Path logdir) throws IOException {
    try (TensorBoardWriter w =
        TensorBoardWriter.open(logdir, options(InstantSource.fixed(OPENED)))) {
      EventFile read = EventFileReader.read(w.file());

      assertThat(read.fileVersion()).isEqualTo("brain.Event:2");
      assertThat(read.events()).isEqualTo(1);
      Event first = Event.parseFrom(GoldenEvents.payloads(w.file()).get(0));
      assertThat(first.getWallTime()).isEqualTo(1_795_744_050.0);
      assertThat(first.getStep()).isZero();
      assertThat(first.getSourceMetadata().getWriter()).isEqualTo("millrace");
    }
  }

  @Test
  void sessionStartIsASessionLogStartAtTheResumedStep(@TempDir Path logdir) throws IOException {
    Path file;
    try (TensorBoardWriter w =
        TensorBoardWriter.open(logdir, options(InstantSource.fixed(OPENED)))) {
      w.sessionStart(3);
      w.scalar("loss", 3, 0.5f);
      file = w.file();
    }

    EventFile read = EventFileReader.read(file);
    assertThat(read.sessionStarts()).containsExactly(3L);
    assertThat(read.scalars()).extracting(ScalarEvent::step).containsExactly(3L);
    Event start = Event.parseFrom(GoldenEvents.payloads(file).get(1));
    assertThat(start.getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
    assertThat(start.getStep()).isEqualTo(3);
    assertThat(start.getWallTime()).isEqualTo(1_795_744_050.0);
  }

  @Test
  void aFreshRunWritesNoSessionStart(@TempDir Path logdir) throws IOException {
    Path file;
    try (TensorBoardWriter w =
        TensorBoardWriter.open(logdir, options(InstantSource.fixed(OPENED)))) {
      w.scalar("loss", 0, 2f);
      file = w.file();
    }
    assertThat(EventFileReader.read(file).sessionStarts()).isEmpty();
  }

  @Test
  void eventsReachTheFileOnlyOnceTheFlushIntervalHasPassed(@TempDir Path logdir)
      throws IOException {
    ManualClock clock = new ManualClock();
    TensorBoardOptions opts = options(clock).withFlushInterval(Duration.ofSeconds(5));
    try (TensorBoardWriter w = TensorBoardWriter.open(logdir, opts)) {
      long opened = Files.size(w.file());
      clock.advance(Duration.ofSeconds(1));
      w.scalar("loss", 0, 2f);
      clock.advance(Duration.ofMillis(3_999));
      w.scalar("loss", 1, 1.5f);
      assertThat(Files.size(w.file())).as("4.999 s after open").isEqualTo(opened);

      clock.advance(Duration.ofMillis(1));
      w.scalar("loss", 2, 1f);
      assertThat(EventFileReader.readScalars(w.file()))
          .extracting(ScalarEvent::step)
          .containsExactly(0L, 1L, 2L);

      clock.advance(Duration.ofSeconds(1));
      w.scalar("loss", 3, 0.5f);
      assertThat(EventFileReader.readScalars(w.file())).hasSize(3);
      w.flush();
      assertThat(EventFileReader.readScalars(w.file())).hasSize(4);
    }
  }

  @Test
  void aZeroIntervalFlushesEveryEventAndABackwardClockStepFlushesToo(@TempDir Path logdir)
      throws IOException {
    ManualClock clock = new ManualClock();
    try (TensorBoardWriter every =
            TensorBoardWriter.open(logdir, options(clock).withFlushInterval(Duration.ZERO));
        TensorBoardWriter hourly =
            TensorBoardWriter.open(
                logdir.resolve("b"), options(clock).withFlushInterval(Duration.ofHours(1)))) {
      every.scalar("loss", 0, 2f);
      assertThat(EventFileReader.readScalars(every.file())).hasSize(1);

      hourly.scalar("loss", 0, 2f);
      assertThat(EventFileReader.readScalars(hourly.file())).isEmpty();
      clock.advance(Duration.ofMinutes(-10));
      hourly.scalar("loss", 1, 1f);
      assertThat(EventFileReader.readScalars(hourly.file())).hasSize(2);
    }
  }

  @Test
  void closeWritesEverythingAndLaterWritesAreRejected(@TempDir Path logdir) throws IOException {
    TensorBoardOptions opts =
        options(InstantSource.fixed(OPENED)).withFlushInterval(Duration.ofHours(1));
    TensorBoardWriter w = TensorBoardWriter.open(logdir, opts);
    for (int step = 0; step < 1000; step++) {
      w.scalar("loss", step, 1f / (step + 1));
    }
    w.close();
    w.close();

    assertThat(EventFileReader.readScalars(w.file())).hasSize(1000);
    assertThatThrownBy(() -> w.scalar("loss", 1000, 0f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(w.file() + ": writer is closed");
  }

  @Test
  void scalarWithoutAWallTimeTakesTheClockInWholeMicroseconds(@TempDir Path logdir)
      throws IOException {
    InstantSource clock = InstantSource.fixed(Instant.ofEpochSecond(1_795_744_050L, 774_176_999));
    Path file;
    try (TensorBoardWriter w = TensorBoardWriter.open(logdir, options(clock))) {
      w.scalar("loss", 7, 2.5f);
      file = w.file();
    }
    List<ScalarEvent> read = EventFileReader.readScalars(file);
    assertThat(read).containsExactly(new ScalarEvent("loss", 7, 1.795744050774176E9, 2.5f));
  }

  @Test
  void emptyTagIsRejectedBeforeAnythingIsWritten(@TempDir Path logdir) throws IOException {
    try (TensorBoardWriter w =
        TensorBoardWriter.open(logdir, options(InstantSource.fixed(OPENED)))) {
      assertThatThrownBy(() -> w.scalar("", 0, 1f))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tag: '' (expected a name)");
      w.flush();
      assertThat(EventFileReader.read(w.file()).events()).isEqualTo(1);
    }
  }

  @Test
  void hostnameThatIsNotFileNameSafeIsRejected() {
    assertThatThrownBy(() -> TensorBoardOptions.defaults().withHostname("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname: 'a/b'");
  }

  @Test
  void logdirThatIsAFileFailsNamingIt(@TempDir Path tmp) throws IOException {
    Path notADir = Files.writeString(tmp.resolve("runs"), "x");
    assertThatThrownBy(() -> TensorBoardWriter.open(notADir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(notADir.toString());
  }
}
