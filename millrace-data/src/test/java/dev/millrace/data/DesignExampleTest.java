package dev.millrace.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training pipeline of DESIGN.md §2, end to end on four copies of the golden shard. */
class DesignExampleTest {
  @TempDir Path dir;

  @AfterEach
  void noThreadsLeft() {
    TestSupport.assertNoPipelineThreads();
  }

  @Test
  void theTrainingPipelineOfTheDesignRunsEndToEnd() throws Exception {
    for (int s = 0; s < 4; s++) {
      Files.copy(
          TestSupport.golden("fashion-train-500.tfrecord"),
          dir.resolve(String.format("train-%05d-of-00004.tfrecord", s)));
    }
    long seed = 7;
    Dataset<Batch> train =
        Dataset.tfRecords(dir.resolve("train-*.tfrecord"))
            .interleave(4, Parallelism.AUTOTUNE)
            .map(
                ExampleSpec.of(rawImage("image", 28, 28, 1), int64("label"))::decode,
                Parallelism.AUTOTUNE)
            .shuffle(10_000, seed)
            .map(Augment.cropFlipNormalize(4, DataFormat.NCHW), Parallelism.AUTOTUNE)
            .batch(128, /* dropRemainder= */ true)
            .prefetch(Parallelism.AUTOTUNE)
            .withOptions(Options.defaults().seed(seed));
    long labels = 0;
    int batches = 0;
    try (DatasetIterator<Batch> it = train.iterator()) {
      for (Batch b : it) {
        assertThat(b.get("image").shape()).isEqualTo(Shape.of(128, 1, 28, 28));
        assertThat(b.get("image").dtype()).isEqualTo(DType.FLOAT32);
        assertThat(b.get("label").shape()).isEqualTo(Shape.of(128));
        for (long l : b.get("label").toLongArray()) {
          labels += l;
        }
        batches++;
      }
      assertThat(it.stats().elements("tfRecords")).isEqualTo(2000);
      assertThat(it.stats().summary()).isNotBlank();
    }
    assertThat(batches).isEqualTo(2000 / 128);
    assertThat(labels).isBetween(0L, 4 * 2201L);
    assertThat(train.toList()).isEqualTo(train.toList());
  }
}
