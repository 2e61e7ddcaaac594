package dev.millrace.profile.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.profile.Fixtures;
import org.junit.jupiter.api.Test;

/** The /proc parsers on recorded file contents. */
class ProcFilesTest {
  @Test
  void processStatIsReadAfterACommandNameWithSpacesAndParentheses() {
    ProcFiles.ProcessTicks t = ProcFiles.parseProcessStat(Fixtures.text("proc-a/self/stat"));
    assertThat(t).isEqualTo(new ProcFiles.ProcessTicks(1234, 567));
    assertThat(t.totalTicks()).isEqualTo(1801);
  }

  @Test
  void processStatCountsFieldsFromTheLastClosingParenthesis() {
    // A name that looks like the fields that follow it: "x) R 1 2 3 4 5 6 7 8 9 10 11 (".
    String line =
        "77 (x) R 1 2 3 4 5 6 7 8 9 10 11 () S 1 77 77 0 -1 4194304 10 0 0 0 25 5 0 0 20 0 1 0 99";
    assertThat(ProcFiles.parseProcessStat(line)).isEqualTo(new ProcFiles.ProcessTicks(25, 5));
  }

  @Test
  void processStatRejectsTruncatedAndNamelessLines() {
    assertThatThrownBy(() -> ProcFiles.parseProcessStat("4242 (java) S 1 4242 4242 0 -1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 fields, expected at least 15");
    assertThatThrownBy(() -> ProcFiles.parseProcessStat("4242 java S 1 2 3"))
        .hasMessageContaining("no (command name)");
    assertThatThrownBy(
            () ->
                ProcFiles.parseProcessStat("1 (a) S 1 1 1 0 -1 0 0 0 0 0 twelve 5 0 0 20 0 1 0 99"))
        .hasMessageContaining("utime is \"twelve\"");
  }

  @Test
  void machineStatCountsIdleAndIowaitAsIdleAndTheRestUpToStealAsBusy() {
    ProcFiles.MachineTicks m = ProcFiles.parseMachineStat(Fixtures.text("proc-a/stat"));
    // user 98984 + nice 20 + system 10772 + irq 0 + softirq 146 + steal 426; idle 136415 + 2416.
    assertThat(m).isEqualTo(new ProcFiles.MachineTicks(110348, 138831));
  }

  @Test
  void machineStatLeavesGuestTimeOutBecauseUserAlreadyHoldsIt() {
    ProcFiles.MachineTicks m =
        ProcFiles.parseMachineStat(
            "cpu  100 0 50 800 50 0 0 0 70 30\ncpu0 100 0 50 800 50 0 0 0 70 30\n");
    assertThat(m).isEqualTo(new ProcFiles.MachineTicks(150, 850));
  }

  @Test
  void machineStatOfAnOldKernelWithFourValuesIsRead() {
    assertThat(ProcFiles.parseMachineStat("cpu 10 2 8 80\n"))
        .isEqualTo(new ProcFiles.MachineTicks(20, 80));
  }

  @Test
  void machineStatWithoutItsAggregateLineIsRejected() {
    assertThatThrownBy(() -> ProcFiles.parseMachineStat("cpu0 1 2 3 4\nintr 5\n"))
        .hasMessageContaining("no aggregate cpu line");
    assertThatThrownBy(() -> ProcFiles.parseMachineStat("cpu 1 2 3\n"))
        .hasMessageContaining("3 values, expected at least 4");
  }

  @Test
  void ioCountersAreReadByName() {
    assertThat(ProcFiles.parseIo(Fixtures.text("proc-a/self/io")))
        .isEqualTo(new ProcFiles.IoCounters(4096, 1000000));
  }

  @Test
  void ioWithoutReadBytesIsRejected() {
    assertThatThrownBy(() -> ProcFiles.parseIo("rchar: 10\nwchar: 3\n"))
        .hasMessageContaining("expected rchar and read_bytes");
    assertThatThrownBy(() -> ProcFiles.parseIo("rchar: 10\nread_bytes: -3\n"))
        .hasMessageContaining("read_bytes is \"-3\"");
  }

  @Test
  void twoReadingsMakeASampleOfTheIntervalBetweenThem() throws Exception {
    ProcReader.Reading a = reading(1_000_000_000L, "proc-a");
    ProcReader.Reading b = reading(3_000_000_000L, "proc-b");
    var s = ProcReader.between(a, b, 4);
    // 150 ticks of 10 ms over 2 s: 0.75 cores, of 4.
    assertThat(s.processCores()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.processCpu()).isCloseTo(0.1875, org.assertj.core.data.Offset.offset(1e-12));
    // 180 busy ticks of 200.
    assertThat(s.machineCpu()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.diskReadBytes()).isEqualTo(1 << 20);
    assertThat(s.readBytes()).isEqualTo(8_000_000);
    assertThat(s.diskReadBytesPerSecond()).isEqualTo(524288.0);
    assertThat(s.nanoTime()).isEqualTo(3_000_000_000L);
    assertThat(s.intervalNanos()).isEqualTo(2_000_000_000L);
    assertThat(s.startNanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void countersThatWentBackwardsOrAreMissingReadAsUnknown() throws Exception {
    ProcReader.Reading a = reading(1_000_000_000L, "proc-b");
    ProcReader.Reading b = reading(2_000_000_000L, "proc-a");
    var s = ProcReader.between(a, b, 2);
    assertThat(s.processCores()).isNaN();
    assertThat(s.machineCpu()).isNaN();
    assertThat(s.diskReadBytes()).isEqualTo(-1);
    assertThat(s.diskReadBytesPerSecond()).isNaN();

    ProcReader.Reading noExtras =
        new ProcReader.Reading(4_000_000_000L, 0, new ProcFiles.ProcessTicks(2000, 0), null, null);
    var t = ProcReader.between(a, noExtras, 2);
    assertThat(t.machineCpu()).isNaN();
    assertThat(t.readBytes()).isEqualTo(-1);
    assertThat(t.processCores()).isGreaterThan(0);
  }

  private static ProcReader.Reading reading(long nanos, String dir) {
    return new ProcReader.Reading(
        nanos,
        nanos / 1_000_000,
        ProcFiles.parseProcessStat(Fixtures.text(dir + "/self/stat")),
        ProcFiles.parseMachineStat(Fixtures.text(dir + "/stat")),
        ProcFiles.parseIo(Fixtures.text(dir + "/self/io")));
  }
}
