package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.ThreadConfig;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.DataFolder;
import dev.millrace.nn.InputSettings;
import dev.millrace.nn.TrainConfig;
import dev.millrace.profile.ReportData.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doctor's verdict on jobs made input-bound and compute-bound on purpose. */
class DoctorTest {
  @Test
  void oneInputThreadDecodingPngsForTheLinearModelIsInputBound(@TempDir Path tmp)
      throws IOException {
    DataFolder data = DataFolder.open(DoctorData.pngShards(tmp, 600));
    TrainConfig job =
        TrainConfig.defaults(data, BuiltinModel.LINEAR)
            .withClasses(11)
            .withRecipe(BuiltinModel.LINEAR.recipe().withBatch(20))
            .withInput(InputSettings.DEFAULT.withThreads(1))
            .withThreads(ThreadConfig.of(1, 2));
    List<String> runs = new ArrayList<>();
    Diagnosis d = Doctor.diagnose(job, 40, 3, true, runs::add);

    assertThat(d.verdict()).as("%s", d.evidence()).isEqualTo(Verdict.INPUT_BOUND);
    assertThat(d.fullJob().inputWaitShare()).isGreaterThan(DiagnosisRules.INPUT_BOUND_WAIT);
    assertThat(d.otherFormat()).as("no format check for an input-bound job").isEmpty();
    assertThat(runs).hasSize(4);
    assertThat(d.recommendations())
        .anySatisfy(r -> assertThat(r).startsWith("set --input-threads"))
        .anySatisfy(r -> assertThat(r).startsWith("store raw pixels instead of JPEG/PNG"));
    assertThat(d.evidence().get(0)).contains("busiest stage");
  }

  @Test
  void theTutorialNetworkOnRawShardsIsComputeBound(@TempDir Path tmp) throws IOException {
    DataFolder data = DataFolder.open(DoctorData.rawShards(tmp, 800));
    TrainConfig job =
        TrainConfig.defaults(data, BuiltinModel.TF_TUTORIAL_CNN).withThreads(ThreadConfig.of(1, 2));
    Diagnosis d = Doctor.diagnose(job, 6, 2, true, s -> {});

    assertThat(d.verdict()).as("%s", d.evidence()).isEqualTo(Verdict.COMPUTE_BOUND);
    assertThat(d.fullJob().inputWaitShare()).isLessThan(0.05);
    assertThat(d.linear().stepsPerSecond()).isGreaterThan(3 * d.fullJob().stepsPerSecond());
    assertThat(d.otherFormat()).isPresent();
    assertThat(d.fullJob().topOps()).isNotEmpty();
    assertThat(d.runs())
        .extracting(ProbeRun::key)
        .containsExactly("input_pipeline", "model_alone", "full_job", "linear", "model_alone_NCHW");
  }
}
