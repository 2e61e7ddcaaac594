package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.data.PipelineStats;
import dev.millrace.data.StageStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportDataTest {
  private static final ReportData.Host HOST = new ReportData.Host("cpu", 4, "");

  @Test
  void listsAreCopiedSoTheReportNeverChanges() {
    List<String> advice = new ArrayList<>(List.of("a"));
    List<ReportData.Step> steps = new ArrayList<>(List.of(new ReportData.Step(0, 1, 2)));
    ReportData data =
        ReportData.of("t", "c", HOST, Instant.EPOCH).withRecommendations(advice).withSteps(steps);
    advice.add("b");
    steps.clear();

    assertThat(data.recommendations()).containsExactly("a");
    assertThat(data.steps()).hasSize(1);
    assertThatThrownBy(() -> data.steps().add(new ReportData.Step(1, 1, 1)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void verdictsShowAsLowerCaseWords() {
    assertThat(ReportData.Verdict.values())
        .extracting(ReportData.Verdict::text)
        .containsExactly("input-bound", "compute-bound", "balanced");
    assertThat(ReportData.Verdict.INPUT_BOUND).hasToString("input-bound");
  }

  @Test
  void withersChangeOnlyTheirPart() {
    ReportData base = ReportData.of("t", "c", HOST, Instant.EPOCH);
    ReportData diagnosed =
        base.withDiagnosis(ReportData.Verdict.BALANCED, List.of("e"), List.of("r"));

    assertThat(base.verdict()).isEmpty();
    assertThat(diagnosed.verdict()).contains(ReportData.Verdict.BALANCED);
    assertThat(diagnosed.withRuns(List.of()).evidence()).containsExactly("e");
    assertThat(diagnosed.title()).isEqualTo("t");
  }

  @Test
  void stepsComeFromProfilerRecordsInMilliseconds() {
    ReportData.Step step = ReportData.Step.of(new StepRecord(12, 0, 2_500_000, 7_000_000, 128));
    assertThat(step).isEqualTo(new ReportData.Step(12, 2.5, 7.0));
  }

  @Test
  void stagesFromPipelineStatsMarkTheBusiestStageAsTheBottleneck() {
    long wall = 1_000_000_000L;
    PipelineStats stats =
        new PipelineStats(
            List.of(
                stage("tfRecords#0", "tfRecords", 200_000_000L, 1),
                stage("map#1", "map", 3_600_000_000L, 4),
                stage("prefetch#2", "prefetch", 10_000_000L, 1)),
            wall,
            1_000,
            500_000_000L,
            1 << 20,
            4096);
    List<ReportData.Stage> stages = ReportData.Stage.of(stats);

    assertThat(stages).extracting(ReportData.Stage::bottleneck).containsExactly(false, true, false);
    ReportData.Stage map = stages.get(1);
    assertThat(map.utilisation()).isEqualTo(0.9);
    assertThat(map.busyNanosPerElement()).isEqualTo(3_600_000.0);
    assertThat(map.inputWaitMs()).isEqualTo(2.0);
    assertThat(map.peakBufferedBytes()).isEqualTo(2048);
  }

  @Test
  void aPipelineThatKeptUpHasNoBottleneckTagged() {
    PipelineStats stats =
        new PipelineStats(
            List.of(
                stage("tfRecords#0", "tfRecords", 200_000_000L, 1),
                stage("map#1", "map", 3_600_000_000L, 4)),
            1_000_000_000L,
            1_000,
            20_000_000L,
            1 << 20,
            4096);
    assertThat(stats.inputBound()).isFalse();
    assertThat(ReportData.Stage.of(stats))
        .extracting(ReportData.Stage::bottleneck)
        .containsOnly(false);
  }

  @Test
  void noBottleneckBeforeAnyElementWasDelivered() {
    PipelineStats stats =
        new PipelineStats(List.of(stage("map#0", "map", 5, 1)), 1_000, 0, 0, 1 << 20, 0);
    assertThat(ReportData.Stage.of(stats))
        .extracting(ReportData.Stage::bottleneck)
        .containsOnly(false);
  }

  @Test
  void hostOfThisMachineNamesItsCores() {
    ReportData.Host host = ReportData.Host.current();
    assertThat(host.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(host.cpuModel()).isNotBlank();
    assertThat(host.details()).contains("Java");
  }

  private static StageStats stage(String name, String kind, long busyNanos, int parallelism) {
    return new StageStats(
        name, kind, 1_000, 4_000, busyNanos, 2_000_000, 0, parallelism, 8, 4096, 1024, 2048, 0);
  }
}
