package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.graph.RunStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace recorder on a simulated training loop whose times are made up (so the checks are
 * exact): which steps it records, the tracks, the nesting, the caps, the counters, the file.
 */
class TraceRecorderTest {
  private static final long MS = 1_000_000;
  private static final long T0 = 5_000_000_000L;

  @TempDir Path tmp;
  private ExecutorService workerA;
  private ExecutorService workerB;

  @BeforeEach
  void pipelineThreads() {
    workerA = Executors.newSingleThreadExecutor(r -> new Thread(r, "millrace-data-7-0"));
    workerB = Executors.newSingleThreadExecutor(r -> new Thread(r, "millrace-data-7-1"));
  }

  @AfterEach
  void stopThreads() {
    workerA.shutdownNow();
    workerB.shutdownNow();
  }

  private static long stepStart(int i) {
    return T0 + i * 10 * MS;
  }

  /**
   * One step of 10 ms: 2 ms waiting for input, 8 ms of compute; three slices of pipeline work on
   * two worker threads; four ops on two session threads, the last of which starts 0.1 ms before its
   * thread's previous op ends (as two clocks read around a hand-over can make it).
   */
  private void runStep(TraceRecorder rec, int i) throws Exception {
    long s = stepStart(i);
    var tracer = rec.pipelineTracer();
    workerA
        .submit(
            () -> {
              tracer.work("map#1", s, s + 3 * MS);
              tracer.work("map#1", s + 3 * MS, s + 6 * MS);
            })
        .get();
    workerB.submit(() -> tracer.work("interleave#0/tfRecordFile#0", s + MS, s + 9 * MS)).get();
    long run = s + 2 * MS;
    rec.sessionRun(
        i,
        run,
        new RunStats(
            8 * MS,
            0,
            List.of(
                new RunStats.OpStat("conv", "Conv2D", 0, 3 * MS, "session-0", 4096),
                new RunStats.OpStat("relu", "Relu", 3 * MS, MS, "session-0", 4096),
                new RunStats.OpStat("matmul", "MatMul", MS / 2, 5 * MS, "session-1", 512),
                new RunStats.OpStat(
                    "bias", "BiasAdd", 5 * MS + MS / 2 - MS / 10, MS, "session-1", 512))));
    rec.step(new StepRecord(i, s, 2 * MS, 8 * MS, 32));
  }

  @Test
  void recordsStepsTenToTwentyNineWithEveryTrackNested() throws Exception {
    TraceRecorder rec = new TraceRecorder();
    for (int i = 0; i < 40; i++) {
      assertThat(rec.isRecording()).isEqualTo(i >= 10 && i < 30);
      runStep(rec, i);
    }
    assertThat(rec.isDone()).isTrue();
    assertThat(rec.isTruncated()).isFalse();
    assertThat(rec.recordedSteps()).isEqualTo(20);
    Path file = tmp.resolve("trace.json");
    rec.write(file);

    TraceFile t = TraceFile.read(file);
    t.assertWellFormed();
    assertThat(t.slices("step"))
        .extracting(e -> e.get("name").asText())
        .containsExactlyElementsOf(IntStream.range(10, 30).mapToObj(i -> "step " + i).toList());
    assertThat(t.slices("step")).allSatisfy(e -> assertThat(t.trackOf(e)).isEqualTo("train loop"));
    assertThat(t.slices("compute")).hasSize(20);
    assertThat(t.slices("input")).hasSize(20);
    assertThat(t.slices("pipeline")).hasSize(20 * 3);
    assertThat(t.slices("pipeline"))
        .allSatisfy(e -> assertThat(t.trackOf(e)).startsWith("millrace-data-7-"));
    List<JsonNode> ops = t.slices("op");
    assertThat(ops).hasSize(20 * 4);
    assertThat(ops)
        .allSatisfy(e -> assertThat(e.get("args").get("step").asLong()).isBetween(10L, 29L));
    assertThat(ops.stream().map(t::trackOf).distinct())
        .containsExactlyInAnyOrder("session-0", "session-1");
    assertThat(t.threadNames().values())
        .containsExactlyInAnyOrder(
            "train loop", "millrace-data-7-0", "millrace-data-7-1", "session-0", "session-1");
    // The bias op of every step was cut where matmul ends.
    JsonNode bias =
        ops.stream().filter(e -> e.get("name").asText().equals("bias")).findFirst().orElseThrow();
    assertThat(TraceFile.nanos(bias.get("dur"))).isEqualTo(MS / 10);
    assertThat(bias.get("args").get("type").asText()).isEqualTo("BiasAdd");
    JsonNode other = t.root().get("otherData");
    assertThat(other.get("clippedSlices").asInt()).isEqualTo(20);
    assertThat(other.get("firstStep").asLong()).isEqualTo(10);
    assertThat(other.get("lastStep").asLong()).isEqualTo(29);
    assertThat(other.get("truncated").asBoolean()).isFalse();
    // Times are relative to the first slice (step 10's wait) and keep their nanoseconds.
    JsonNode first = t.slices("step").getFirst();
    assertThat(TraceFile.nanos(first.get("ts"))).isZero();
    JsonNode conv = ops.getFirst();
    assertThat(TraceFile.nanos(conv.get("ts"))).isEqualTo(2 * MS);
  }

  @Test
  void theEventCapEndsRecordingEarly() throws Exception {
    TraceRecorder rec = new TraceRecorder(new TraceLimits(0, 1000, 200, 8L << 20));
    for (int i = 0; i < 100; i++) {
      runStep(rec, i);
    }
    assertThat(rec.isDone()).isTrue();
    assertThat(rec.isTruncated()).isTrue();
    assertThat(rec.eventCount()).isLessThanOrEqualTo(200);
    Path file = tmp.resolve("capped.json");
    rec.write(file);
    TraceFile t = TraceFile.read(file);
    t.assertWellFormed();
    assertThat(t.phase("X")).hasSizeLessThanOrEqualTo(180);
    assertThat(t.root().get("otherData").get("truncated").asBoolean()).isTrue();
    assertThat(t.root().get("otherData").get("droppedAtCaps").asLong()).isPositive();
  }

  @Test
  void theByteCapKeepsTheFileWithinIt() throws Exception {
    long cap = 64 << 10;
    TraceRecorder rec = new TraceRecorder(new TraceLimits(0, 1000, 1_000_000, cap));
    for (int i = 0; i < 1000 && !rec.isDone(); i++) {
      runStep(rec, i);
    }
    assertThat(rec.isTruncated()).isTrue();
    Path file = tmp.resolve("small.json");
    rec.write(file);
    assertThat(Files.size(file)).isLessThanOrEqualTo(cap).isGreaterThan(cap / 3);
    TraceFile.read(file).assertWellFormed();
  }

  @Test
  void utilisationAndGpuSamplesOfTheRecordedStepsBecomeCounters() throws Exception {
    TraceRecorder rec = new TraceRecorder(new TraceLimits(2, 3, 10_000, 1 << 20));
    for (int i = 0; i < 6; i++) {
      runStep(rec, i);
    }
    // Recorded: steps 2..4, from stepStart(2) to stepStart(5).
    List<UtilisationSample> cpu = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      long end = stepStart(0) + (k + 1) * 10 * MS;
      cpu.add(
          new UtilisationSample(end, 0, 10 * MS, 0.25, 1.0, k == 3 ? Double.NaN : 0.5, 1000, -1));
    }
    rec.addUtilisation(cpu);
    GpuSample inside =
        new GpuSample(stepStart(3), 0, List.of(new GpuSample.Gpu(0, "H200", 0.9, 100, 1000)));
    GpuSample before =
        new GpuSample(stepStart(1), 0, List.of(new GpuSample.Gpu(0, "H200", 0.1, 100, 1000)));
    rec.addGpu(List.of(before, inside));
    Path file = tmp.resolve("counters.json");
    rec.write(file);

    TraceFile t = TraceFile.read(file);
    t.assertWellFormed();
    List<JsonNode> cpuCounters =
        t.phase("C").stream().filter(e -> e.get("name").asText().equals("CPU %")).toList();
    // Samples ending at 30, 40 and 50 ms overlap steps 2..4 (20..50 ms); those ending at 10 and
    // 20 ms or starting at 50 ms and later do not.
    assertThat(cpuCounters).hasSize(3);
    assertThat(cpuCounters)
        .allSatisfy(e -> assertThat(e.get("args").get("process").asDouble()).isEqualTo(25.0));
    assertThat(cpuCounters.stream().filter(e -> !e.get("args").has("machine"))).hasSize(1);
    List<JsonNode> gpu =
        t.phase("C").stream()
            .filter(e -> e.get("name").asText().equals("GPU 0 utilisation %"))
            .toList();
    assertThat(gpu).hasSize(1);
    assertThat(gpu.getFirst().get("args").get("busy").asDouble()).isEqualTo(90.0);
    assertThat(t.phase("C").stream().filter(e -> e.get("name").asText().equals("read MB/s")))
        .allSatisfy(e -> assertThat(e.get("args").has("with page cache")).isFalse());
  }

  @Test
  void writingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws Exception {
    TraceRecorder rec = new TraceRecorder(new TraceLimits(1, 2, 10_000, 1 << 20));
    Path file = tmp.resolve("out").resolve("trace.json");
    rec.write(file);
    TraceFile early = TraceFile.read(file);
    early.assertWellFormed();
    assertThat(early.phase("X")).isEmpty();
    for (int i = 0; i < 4; i++) {
      runStep(rec, i);
    }
    rec.write(file);
    TraceFile later = TraceFile.read(file);
    later.assertWellFormed();
    assertThat(later.slices("step")).hasSize(2);
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("trace.json");
    }
  }
}
