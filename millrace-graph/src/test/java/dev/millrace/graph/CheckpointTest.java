package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.FLOAT64;
import static dev.millrace.graph.types.Types.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Float64;
import dev.millrace.graph.types.Int64;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private record Model(
      Graph graph, Variable<Float32> w, Variable<Float64> b, Variable<Int64> step) {}

  private static Model model() {
    Graph g = new Graph();
    Ops tf = Ops.on(g);
    Variable<Float32> w =
        tf.withSubScope("dense")
            .withName("kernel")
            .variable(FLOAT32, Shape.of(3, 2), Initializers.glorotUniform(1));
    Variable<Float64> b = tf.withName("bias").variable(FLOAT64, Shape.of(2), Initializers.zeros());
    Variable<Int64> step =
        tf.withName("step").variable(INT64, Shape.scalar(), Initializers.zeros(), false);
    return new Model(g, w, b, step);
  }

  @Test
  void saveThenRestoreRoundTripsEveryVariable() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Model m = model();
    float[] w;
    try (Graph g = m.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      s.initialize();
      s.writeVariable(m.b(), Tensor.ofDoubles(Shape.of(2), 0.25, -1e-300));
      s.writeVariable(m.step(), Tensor.ofLongs(Shape.scalar(), 1L << 40));
      w = s.readVariable(m.w()).toFloatArray();
      Checkpoint.save(s, file);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
    Model fresh = model();
    try (Graph g = fresh.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Checkpoint.restore(s, file);
      assertThat(s.readVariable(fresh.w()).toFloatArray()).containsExactly(w);
      assertThat(s.readVariable(fresh.b()).toDoubleArray()).containsExactly(0.25, -1e-300);
      assertThat(s.readVariable(fresh.step()).getLong(0)).isEqualTo(1L << 40);
    }
    assertThat(Checkpoint.read(file)).containsOnlyKeys("dense/kernel", "bias", "step");
  }

  @Test
  void corruptionIsDetectedNamingTheFileAndChangesNothing() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Model m = model();
    try (Graph g = m.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      s.initialize();
      Checkpoint.save(s, file);
      byte[] data = Files.readAllBytes(file);
      data[data.length / 2] ^= 0x10;
      Files.write(file, data);
      s.writeVariable(m.b(), Tensor.ofDoubles(Shape.of(2), 5, 6));
      assertThatThrownBy(() -> Checkpoint.restore(s, file))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("checksum mismatch");
      assertThat(s.readVariable(m.b()).toDoubleArray()).containsExactly(5, 6);
      Files.write(file, new byte[] {1, 2, 3});
      assertThatThrownBy(() -> Checkpoint.restore(s, file))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(file.toString());
    }
  }

  @Test
  void missingOrMismatchedVariablesAreReported() throws IOException {
    Path file = dir.resolve("small.ckpt");
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops.on(g).withName("bias").variable(FLOAT64, Shape.of(3), Initializers.ones());
      s.initialize();
      Checkpoint.save(s, file);
    }
    Model m = model();
    try (Graph g = m.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      assertThatThrownBy(() -> Checkpoint.restore(s, file))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(file.toString())
          .hasMessageMatching(
              ".*(no value for variable 'dense/kernel'|variable 'bias' is FLOAT64 \\[3\\]).*");
    }
  }

  @Test
  void savingOverAnExistingCheckpointReplacesIt() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Model m = model();
    try (Graph g = m.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      s.initialize();
      Checkpoint.save(s, file);
      s.writeVariable(m.b(), Tensor.ofDoubles(Shape.of(2), 3, 4));
      Checkpoint.save(s, file);
    }
    assertThat(Checkpoint.read(file).get("bias").toDoubleArray()).containsExactly(3, 4);
  }
}
