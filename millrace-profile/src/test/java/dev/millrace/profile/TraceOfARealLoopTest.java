package dev.millrace.profile;

import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training loop in miniature, as the trainer drives the recorder: a traced parallel pipeline
 * feeds a session run per step, and the trace shows the steps, the session's ops on its threads and
 * the pipeline's work on its workers.
 */
class TraceOfARealLoopTest {
  @TempDir Path tmp;

  @Test
  void aTracedLoopShowsStepsOpsAndPipelineWork() throws Exception {
    TraceRecorder rec = new TraceRecorder(TraceLimits.defaults().withSteps(2, 10));
    Dataset<Tensor> input =
        Dataset.range(400)
            .map(
                i -> {
                  float[] v = new float[256];
                  java.util.Arrays.fill(v, i);
                  return Tensor.ofFloats(Shape.of(256), v);
                },
                Parallelism.of(1))
            // One worker may hold at most three chunks of one element ahead of the consumer in a
            // 4 KiB budget, so most of the ten traced steps' elements are mapped while they run.
            .withOptions(Options.defaults().ramBudget(4 << 10).tracer(rec.pipelineTracer()));
    try (UtilisationSampler cpu = UtilisationSampler.start(Duration.ofMillis(5), 100);
        Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(2, 1));
        DatasetIterator<Tensor> it = input.iterator()) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(256));
      Output<Float32> y = tf.withName("negated").neg(tf.withName("doubled").add(x, x));
      long step = 0;
      while (it.hasNext() && !rec.isDone()) {
        long start = System.nanoTime();
        Tensor batch = it.next();
        long fed = System.nanoTime();
        try (Session.Result r = s.runner().feed(x, batch).fetch(y).run()) {
          long done = System.nanoTime();
          assertThat(r.get(0).getFloat(0)).isEqualTo(-2f * step);
          rec.sessionRun(step, fed, r.stats());
          rec.step(new StepRecord(step, start, fed - start, done - fed, 1));
        }
        step++;
      }
      rec.addCounters(cpu);
    }
    Path file = tmp.resolve("loop.json");
    rec.write(file);

    TraceFile t = TraceFile.read(file);
    t.assertWellFormed();
    assertThat(t.slices("step"))
        .extracting(e -> e.get("name").asText())
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(2, 12).mapToObj(i -> "step " + i).toList());
    assertThat(t.slices("op"))
        .extracting(e -> e.get("name").asText())
        .contains("doubled", "negated");
    for (JsonNode op : t.slices("op")) {
      assertThat(t.trackOf(op)).isNotEqualTo("train loop");
    }
    // The map's work shows on its worker, under its stage's name (and the range's pull with it).
    assertThat(t.slices("pipeline")).extracting(e -> e.get("name").asText()).contains("map#1");
    assertThat(t.slices("pipeline"))
        .allSatisfy(e -> assertThat(t.trackOf(e)).startsWith("millrace-data-"));
  }
}
