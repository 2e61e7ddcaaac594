package dev.millrace.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.data.BatchBuffers;
import dev.millrace.graph.Checkpoint;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.EndedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {
  @TempDir static Path shared;
  private static DataFolder data;

  @BeforeAll
  static void convert() throws IOException {
    data = DataFolder.open(SyntheticData.converted(shared, 640, 200, 5));
  }

  private static TrainConfig config(BuiltinModel model) {
    return TrainConfig.defaults(data, model)
        .withRecipe(model.recipe().withBatch(32))
        .withThreads(ThreadConfig.of(1, 2))
        .withInput(InputSettings.DEFAULT.withThreads(2).withShuffleBuffer(256))
        .withSeed(42)
        .withEvalBatch(64);
  }

  @Test
  void dataFolderReadsShapesSplitsAndFeaturesFromTheManifestAndFirstRecord() {
    assertThat(data.shape()).isEqualTo(new ImageShape(28, 28, 1));
    assertThat(data.train().records()).isEqualTo(640);
    assertThat(data.eval().name()).isEqualTo("test");
    assertThat(data.image()).isEqualTo("image");
    assertThat(data.label()).isEqualTo("label");
  }

  @Test
  void linearModelLearnsTheSyntheticBandsAndReportsEveryStep() throws IOException {
    List<StepReport> steps = new ArrayList<>();
    List<EpochReport> epochs = new ArrayList<>();
    TrainResult r =
        Trainer.train(
            config(BuiltinModel.LINEAR).withEpochs(2),
            new TrainingListener() {
              @Override
              public void step(StepReport s) {
                steps.add(s);
              }

              @Override
              public void epoch(EpochReport e) {
                epochs.add(e);
              }
            });
    assertThat(steps).hasSize(2 * 20);
    assertThat(steps).extracting(StepReport::step).containsExactlyElementsOf(range(40));
    assertThat(steps).allSatisfy(s -> assertThat(s.examples()).isEqualTo(32));
    assertThat(epochs).hasSize(2);
    assertThat(r.testAccuracy()).as("held-out accuracy").isGreaterThan(0.9);
    assertThat(r.history().get(1).trainLoss()).isLessThan(r.history().get(0).trainLoss());
    assertThat(r.steps()).isEqualTo(40);
    assertThat(r.inputWaitShare()).isBetween(0.0, 1.0);
    assertThat(r.imagesPerSecond()).isPositive();
    assertThat(epochs.get(0).pipeline().stages()).isNotEmpty();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void fashionCnnTrainsInBothFormatsToTheSameLosses() throws IOException {
    List<Float> nhwc = losses(config(BuiltinModel.FASHION_CNN).withFormat(DataFormat.NHWC));
    List<Float> nchw = losses(config(BuiltinModel.FASHION_CNN).withFormat(DataFormat.NCHW));
    assertThat(nhwc).hasSize(20);
    for (int i = 0; i < nhwc.size(); i++) {
      assertThat(nchw.get(i))
          .as("step %d", i)
          .isCloseTo(nhwc.get(i), org.assertj.core.api.Assertions.within(2e-3f));
    }
    assertThat(nhwc.getLast()).isLessThan(nhwc.getFirst());
  }

  private static List<Float> losses(TrainConfig c) throws IOException {
    List<Float> losses = new ArrayList<>();
    Trainer.train(
        c,
        new TrainingListener() {
          @Override
          public void step(StepReport s) {
            losses.add(s.loss());
          }
        });
    return losses;
  }

  @Test
  void releasingEachBatchAfterItsStepTrainsToTheLossesOfFreshBatches() throws IOException {
    TrainConfig c = config(BuiltinModel.LINEAR).withEpochs(2);
    List<Float> reused = losses(c);
    String key = BatchBuffers.CAPACITY_PROPERTY;
    String before = System.getProperty(key);
    List<Float> fresh;
    try {
      System.setProperty(key, "0");
      fresh = losses(c);
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
    assertThat(reused).hasSize(40).containsExactlyElementsOf(fresh);
  }

  @Test
  void aRunResumedAtAMidEpochCheckpointEndsWithTheUninterruptedRunsWeights(@TempDir Path tmp)
      throws IOException {
    TrainConfig base = config(BuiltinModel.FASHION_CNN).withEpochs(2);
    Path whole = tmp.resolve("whole");
    Trainer.train(base.withCheckpoints(whole, 0, false), new TrainingListener() {});

    Path cut = tmp.resolve("cut");
    class Stop extends RuntimeException {}
    assertThatThrownBy(
            () ->
                Trainer.train(
                    base.withCheckpoints(cut, 7, false),
                    new TrainingListener() {
                      @Override
                      public void step(StepReport s) {
                        if (s.step() == 30) {
                          throw new Stop();
                        }
                      }
                    }))
        .isInstanceOf(Stop.class);
    TrainingState saved = TrainingCheckpoint.read(cut).orElseThrow();
    assertThat(saved.globalStep()).isEqualTo(28);
    assertThat(saved.stepInEpoch()).isEqualTo(8);
    assertThat(saved.iterator()).isNotNull();

    TrainResult resumed =
        Trainer.train(base.withCheckpoints(cut, 7, true), new TrainingListener() {});
    assertThat(resumed.steps()).isEqualTo(40 - 28);
    assertThat(variables(cut)).isEqualTo(variables(whole));
    assertThat(resumed.history()).hasSize(2);
  }

  @Test
  void resumingWithAnotherModelIsRefusedNamingTheCheckpoint(@TempDir Path tmp) throws IOException {
    Trainer.train(
        config(BuiltinModel.LINEAR).withCheckpoints(tmp, 0, false), new TrainingListener() {});
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(BuiltinModel.FASHION_CNN).withCheckpoints(tmp, 0, true),
                    new TrainingListener() {}))
        .isInstanceOf(IOException.class)
        .hasMessage(
            tmp.resolve("checkpoint.json")
                + ": the checkpoint is of model linear, not fashion-cnn (use another"
                + " --checkpoint-dir, or --model linear)");
  }

  @Test
  void aDamagedCheckpointIsReportedAndNothingPartialIsLeft(@TempDir Path tmp) throws IOException {
    Trainer.train(
        config(BuiltinModel.LINEAR).withCheckpoints(tmp, 0, false), new TrainingListener() {});
    Path variables = onlyVariablesFile(tmp);
    byte[] bytes = Files.readAllBytes(variables);
    bytes[bytes.length / 2] ^= 1;
    Files.write(variables, bytes);
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(BuiltinModel.LINEAR).withEpochs(2).withCheckpoints(tmp, 0, true),
                    new TrainingListener() {}))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(variables + ": checksum mismatch");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("checkpoint.json", variables.getFileName().toString());
    }
  }

  @Test
  void readingOrSavingACheckpointRemovesTheTemporaryFilesOfKilledWritersOnly(@TempDir Path tmp)
      throws IOException {
    TrainConfig linear = config(BuiltinModel.LINEAR).withCheckpoints(tmp, 0, false);
    Trainer.train(linear, new TrainingListener() {});
    List<String> saved = names(tmp);
    assertThat(saved).containsExactly("checkpoint.json", "variables-0000000020.mrckpt");
    long dead = EndedProcess.pid();
    Path busy = tmp.resolve(".checkpoint.json." + ProcessHandle.current().pid() + "-3.tmp");
    Files.writeString(busy, "{");
    Files.write(tmp.resolve(".variables-0000000040.mrckpt." + dead + "-1.tmp"), new byte[64]);
    Files.writeString(tmp.resolve(".checkpoint.json." + dead + "-2.tmp"), "{\"vers");

    assertThat(TrainingCheckpoint.read(tmp)).isPresent();
    assertThat(names(tmp))
        .containsExactly(busy.getFileName().toString(), saved.get(0), saved.get(1));

    Files.write(tmp.resolve(".variables-0000000020.mrckpt." + dead + "-4.tmp"), new byte[64]);
    Trainer.train(linear, new TrainingListener() {});
    assertThat(names(tmp))
        .containsExactly(busy.getFileName().toString(), saved.get(0), saved.get(1));
  }

  @ParameterizedTest(name = "the manifest lists {0} of the 640 records")
  @ValueSource(ints = {800, 320})
  void aManifestThatMiscountsTheTrainingRecordsIsAnErrorNotAShorterEpoch(
      int listed, @TempDir Path tmp) throws IOException {
    Path copy = Files.createDirectories(tmp.resolve("data"));
    try (Stream<Path> files = Files.list(data.dir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path manifest = copy.resolve("manifest.json");
    String json = Files.readString(manifest);
    assertThat(json).contains("\"records\" : 640,");
    Files.writeString(
        manifest, json.replace("\"records\" : 640,", "\"records\" : " + listed + ","));
    TrainConfig c =
        TrainConfig.defaults(DataFolder.open(copy), BuiltinModel.LINEAR)
            .withRecipe(BuiltinModel.LINEAR.recipe().withBatch(32))
            .withThreads(ThreadConfig.of(1, 1))
            .withInput(InputSettings.DEFAULT.withThreads(1).withShuffleBuffer(64));
    assertThatThrownBy(() -> Trainer.train(c, new TrainingListener() {}))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(manifest + ": the train split lists " + listed + " records, but ")
        .hasMessageContaining(
            listed > 640 ? "ran out at step 21 of 25 (batch 32)" : "hold more than that");
  }

  @Test
  void aDataFolderWithoutManifestIsNotAConvertedDataSet(@TempDir Path tmp) {
    assertThatThrownBy(() -> DataFolder.open(tmp))
        .isInstanceOf(IOException.class)
        .hasMessage(
            tmp
                + ": not a converted data set (no manifest.json; create one with millrace convert)");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Path onlyVariablesFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> v = files.filter(p -> p.toString().endsWith(".mrckpt")).toList();
      assertThat(v).hasSize(1);
      return v.getFirst();
    }
  }

  private static Map<String, List<Float>> variables(Path dir) throws IOException {
    Map<String, Tensor> read = Checkpoint.read(onlyVariablesFile(dir));
    Map<String, List<Float>> out = new java.util.TreeMap<>();
    read.forEach(
        (name, t) -> {
          List<Float> values = new ArrayList<>();
          for (long i = 0; i < t.size(); i++) {
            values.add(
                t.dtype() == dev.millrace.tensor.DType.FLOAT32
                    ? t.getFloat(i)
                    : (float) t.getLong(i));
          }
          out.put(name, values);
        });
    return out;
  }
}
